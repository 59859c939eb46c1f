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
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.DatapathId;
import org.springframework.beans.factory.annotation.Autowired;

/** Declaring a gateway bridge and attaching VM ports to overlays through the REST API. */
class GatewayApiTest extends ApiTestBase {

    @Autowired
    Southbound southbound;
    @Autowired
    VmVteps vmVteps;

    @Test
    void attachedVmBecomesAnOverlayMemberAndTheGatewayProgramReachesTheBoards() throws Exception {
        String overlay = uniqueName("ovl");
        int vni = ThreadLocalRandom.current().nextInt(100_000, 16_000_000);
        String cidr = "10." + ThreadLocalRandom.current().nextInt(100, 250) + "."
                + ThreadLocalRandom.current().nextInt(0, 250) + ".0/24";
        OverlayRegistry registry = new OverlayRegistry(zk);
        registry.create(new Overlay(overlay, vni, cidr));
        AddressAllocator allocator = new AddressAllocator(zk, registry);
        String boardId = uniqueName("board");
        Member board = allocator.allocate(overlay, boardId);
        zk.create().creatingParentsIfNeeded().forPath("/nodes/" + boardId + "/underlay",
                "{\"address\":\"192.0.2.7\",\"port\":4789,\"behindNat\":false}".getBytes(StandardCharsets.UTF_8));
        long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        String sw = String.format("%016x", dpid);
        String vm = "vm" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x10000, 0xfffff));

        Api.Response notGateway = api.post("/api/v1/switches/" + sw + "/attachments",
                "{\"port\":1,\"overlay\":\"" + overlay + "\",\"name\":\"" + vm + "\"}");
        assertThat(notGateway.status()).isEqualTo(409);

        assertThat(api.put("/api/v1/switches/" + sw + "/gateway", "{\"tunnelAddress\":\"192.0.2.1\",\"vxlanPort\":10}")
                .status()).isEqualTo(200);
        Api.Response created = api.post("/api/v1/switches/" + sw + "/attachments",
                "{\"port\":1,\"overlay\":\"" + overlay + "\",\"name\":\"" + vm + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.text("memberId")).isEqualTo("vm-" + vm);
        assertThat(created.text("address")).startsWith(cidr.substring(0, cidr.lastIndexOf('.')));
        assertThat(allocator.members(overlay)).extracting(Member::nodeId).contains("vm-" + vm, boardId);
        assertThat(vmVteps.vtep("vm-" + vm)).as("boards reach the VM at its gateway's tunnel address")
                .contains("192.0.2.1");
        assertThat(vmVteps.vtep(boardId)).isEmpty();

        Api.Response input = api.get("/api/v1/switches/" + sw + "/gateway");
        assertThat(input.status()).isEqualTo(200);
        assertThat(input.body().get("overlays").get(0).get("vni").asLong()).isEqualTo(vni);
        assertThat(input.body().get("overlays").get(0).get("vms").get(0).get("port").asInt()).isEqualTo(1);
        assertThat(input.body().get("overlays").get(0).get("remotes").get(0).get("vtep").asText()).isEqualTo("192.0.2.7");
        assertThat(input.body().get("overlays").get(0).get("remotes").get(0).get("mac").asText()).isEqualTo(board.mac());
        await().atMost(Duration.ofSeconds(5)).until(() ->
                !southbound.desiredFlows().get(DatapathId.of(dpid)).flows().isEmpty());

        // Clear errors: a taken name or port, an unknown overlay, a bad port number.
        assertThat(api.post("/api/v1/switches/" + sw + "/attachments",
                "{\"port\":2,\"overlay\":\"" + overlay + "\",\"name\":\"" + vm + "\"}").status()).isEqualTo(409);
        assertThat(api.post("/api/v1/switches/" + sw + "/attachments",
                "{\"port\":1,\"overlay\":\"" + overlay + "\",\"name\":\"other-" + vm + "\"}").status()).isEqualTo(409);
        assertThat(api.post("/api/v1/switches/" + sw + "/attachments",
                "{\"port\":3,\"overlay\":\"no-such-overlay\",\"name\":\"x-" + vm + "\"}").status()).isEqualTo(404);
        Api.Response badPort = api.post("/api/v1/switches/" + sw + "/attachments",
                "{\"port\":0,\"overlay\":\"" + overlay + "\",\"name\":\"y-" + vm + "\"}");
        assertThat(badPort.status()).isEqualTo(400);
        assertThat(badPort.text("field")).isEqualTo("port");

        assertThat(api.delete("/api/v1/switches/" + sw + "/attachments/" + vm).status()).isEqualTo(204);
        assertThat(allocator.members(overlay)).extracting(Member::nodeId).doesNotContain("vm-" + vm);
        assertThat(api.delete("/api/v1/switches/" + sw + "/attachments/" + vm).status()).isEqualTo(404);
    }
}
