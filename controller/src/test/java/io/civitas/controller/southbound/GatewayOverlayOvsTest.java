package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.civitas.overlay.openflow.GatewayInput;
import io.civitas.overlay.openflow.GatewayInput.OverlayOnGateway;
import io.civitas.overlay.openflow.GatewayInput.RemoteMember;
import io.civitas.overlay.openflow.GatewayInput.VmPort;
import io.civitas.overlay.openflow.GatewayProgram;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * The gateway program on a real OVS userspace bridge, driven by the controller: a VM namespace on the gateway
 * bridge pings a board namespace (kernel VXLAN) over the overlay; a VM on another VNI, with an address in the
 * same range, cannot reach it.
 */
class GatewayOverlayOvsTest {

    private static final int VNI_A = 7001;
    private static final int VNI_B = 7002;
    private final String overlayNet = "10.253." + ThreadLocalRandom.current().nextInt(16, 250) + ".";
    private final long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private OvsFixture fixture;
    private GatewayLab lab;
    private Southbound southbound;

    @BeforeEach
    void start() throws Exception {
        fixture = new OvsFixture();
        lab = new GatewayLab(fixture.ovs);
        southbound = fixture.southbound("gw");
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
        fixture.close();
    }

    @Test
    void vmOnTheGatewayPingsABoardOverTheOverlayAndAVmOnAnotherVniCannot() {
        String boardIp = overlayNet + "2";
        String vm1Ip = overlayNet + "11";
        String vm2Ip = overlayNet + "12";
        String boardMac = "02:cf:00:00:00:02";
        String vm1Mac = "02:cf:00:00:01:11";
        String vm2Mac = "02:cf:00:00:01:12";
        String board = lab.board(VNI_A, boardIp, boardMac, 24);
        String gw = lab.gateway(dpid, southbound.port());
        String vm1 = lab.vm(gw, 1, vm1Ip, vm1Mac, 24);
        String vm2 = lab.vm(gw, 2, vm2Ip, vm2Mac, 24);

        GatewayInput input = new GatewayInput(lab.tunnel, GatewayLab.VXLAN_PORT, List.of(
                new OverlayOnGateway("sensors", VNI_A, List.of(new VmPort("vm1", 1, vm1Mac, vm1Ip)),
                        List.of(new RemoteMember("board-1", lab.boardVtep, boardMac, boardIp))),
                new OverlayOnGateway("cameras", VNI_B, List.of(new VmPort("vm2", 2, vm2Mac, vm2Ip)), List.of())));
        southbound.desiredFlows().put(DatapathId.of(dpid), GatewayProgram.of(input));
        await().atMost(Duration.ofSeconds(20)).until(() -> southbound.reconciler().lastReport(DatapathId.of(dpid))
                .map(r -> r.error() == null && r.flowsAdded() > 0).orElse(false));
        int desired = southbound.desiredFlows().get(DatapathId.of(dpid)).flows().size();
        assertThat(fixture.ovs.flows(gw)).hasSize(desired);
        assertThat(fixture.ovs.check("ovs-ofctl", "-O", "OpenFlow13", "dump-groups", gw))
                .contains("group_id=" + VNI_A + ",type=all").contains("group_id=" + VNI_B + ",type=all");

        FlowReconciler.Report again = southbound.reconciler().reconcileNow(DatapathId.of(dpid)).orElseThrow();
        assertThat(List.of(again.flowsAdded(), again.flowsDeleted(), again.groupsAdded(), again.groupsModified(),
                again.groupsDeleted())).as("a second pass changes nothing: %s", again).containsOnly(0);

        Ovs.Result there = lab.ping(vm1, boardIp);
        assertThat(there.exit()).as("vm1 -> board over VNI %d: %s", VNI_A, there.out()).isZero();
        Ovs.Result back = lab.ping(board, vm1Ip);
        assertThat(back.exit()).as("board -> vm1: %s", back.out()).isZero();
        assertThat(fixture.ovs.check("ip", "netns", "exec", vm1, "ip", "neigh", "show", boardIp)).contains(boardMac);

        Ovs.Result isolated = lab.ping(vm2, boardIp);
        assertThat(isolated.exit()).as("vm2 on VNI %d must not reach the board: %s", VNI_B, isolated.out())
                .isNotZero();
        assertThat(fixture.ovs.check("ip", "netns", "exec", board, "ip", "neigh", "show")).doesNotContain(vm2Ip);
    }
}
