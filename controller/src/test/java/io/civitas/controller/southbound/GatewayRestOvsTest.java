package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.Member;
import io.civitas.overlay.Overlay;
import io.civitas.overlay.OverlayRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.DatapathId;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * End to end through the running controller: an overlay with a board member (its VTEP in
 * {@code /nodes/<id>/underlay}), a gateway declared and a VM attached by REST; the VM namespace configured with
 * the address and MAC the controller allocated pings the board over real OVS and kernel VXLAN.
 */
class GatewayRestOvsTest extends ApiTestBase {

    @Autowired
    Southbound southbound;
    private final GatewayLab lab = new GatewayLab(new Ovs());

    @AfterEach
    void cleanUp() {
        lab.close();
    }

    @Test
    void vmAttachedThroughTheApiPingsTheBoardOverTheOverlay() throws Exception {
        String overlay = uniqueName("gw");
        int vni = ThreadLocalRandom.current().nextInt(100_000, 16_000_000);
        String cidr = "10.252." + ThreadLocalRandom.current().nextInt(0, 250) + ".0/24";
        OverlayRegistry registry = new OverlayRegistry(zk);
        registry.create(new Overlay(overlay, vni, cidr));
        String boardId = uniqueName("board");
        Member board = new AddressAllocator(zk, registry).allocate(overlay, boardId);
        zk.create().creatingParentsIfNeeded().forPath("/nodes/" + boardId + "/underlay",
                ("{\"address\":\"" + lab.boardVtep + "\",\"port\":4789}").getBytes(StandardCharsets.UTF_8));
        String boardNs = lab.board(vni, board.address(), board.mac(), 24);

        long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        String sw = String.format("%016x", dpid);
        String gw = lab.gateway(dpid, southbound.port());
        assertThat(api.put("/api/v1/switches/" + sw + "/gateway", "{\"tunnelAddress\":\"" + lab.tunnel
                + "\",\"vxlanPort\":" + GatewayLab.VXLAN_PORT + "}").status()).isEqualTo(200);
        String name = "web" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x10000, 0xfffff));
        Api.Response vm = api.post("/api/v1/switches/" + sw + "/attachments",
                "{\"port\":1,\"overlay\":\"" + overlay + "\",\"name\":\"" + name + "\"}");
        assertThat(vm.status()).as(vm.toString()).isEqualTo(201);
        String vmNs = lab.vm(gw, 1, vm.text("address"), vm.text("mac"), 24);

        await().atMost(Duration.ofSeconds(20)).until(() -> southbound.reconciler().lastReport(DatapathId.of(dpid))
                .map(r -> r.error() == null && r.flowsUnchanged() + r.flowsAdded()
                        == southbound.desiredFlows().get(DatapathId.of(dpid)).flows().size()
                        && r.flowsUnchanged() + r.flowsAdded() > 2).orElse(false));
        Ovs.Result ping = lab.ping(vmNs, board.address());
        assertThat(ping.exit()).as("VM -> board: %s", ping.out()).isZero();
        assertThat(lab.ping(boardNs, vm.text("address")).exit()).isZero();
        api.delete("/api/v1/switches/" + sw + "/attachments/" + name);
    }
}
