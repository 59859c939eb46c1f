package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.civitas.overlay.openflow.GatewayInput;
import io.civitas.overlay.openflow.GatewayInput.OverlayOnGateway;
import io.civitas.overlay.openflow.GatewayInput.RemoteMember;
import io.civitas.overlay.openflow.GatewayInput.VmPort;
import io.civitas.overlay.openflow.GatewayProgram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * The gateway program on a real OVS userspace bridge, driven by the controller: a VM namespace on the gateway
 * bridge pings a board namespace (kernel VXLAN) over the overlay; a VM on another VNI, with an address in the
 * same range, cannot reach it. Underlay as in FACTS.md: {@code br-phy} holds the tunnel address and the veth to
 * the board; the gateway bridge has the VMs' veths and a flow-based VXLAN port.
 */
class GatewayOverlayOvsTest {

    private static final int VNI_A = 7001;
    private static final int VNI_B = 7002;
    private final String id = Long.toHexString(ThreadLocalRandom.current().nextLong(0x10000L, 0xfffffL));
    private final int net = ThreadLocalRandom.current().nextInt(16, 250);
    private final String underlayNet = "10.254." + net + ".";
    private final String overlayNet = "10.253." + net + ".";
    private final String board = "cvof-b-" + id;
    private final String vm1 = "cvof-v1-" + id;
    private final String vm2 = "cvof-v2-" + id;
    private final List<String> namespaces = new ArrayList<>();
    private final long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private OvsFixture fixture;
    private Southbound southbound;
    private Ovs ovs;
    private String phy;

    @BeforeEach
    void start() throws Exception {
        fixture = new OvsFixture();
        ovs = fixture.ovs;
        southbound = fixture.southbound("gw");
    }

    @AfterEach
    void stop() throws Exception {
        if (phy != null) {
            Ovs.run(10, "ovs-appctl", "ovs/route/del", underlayNet + "0/24");
        }
        for (String ns : namespaces) {
            Ovs.run(10, "ip", "netns", "del", ns);
        }
        fixture.close();
    }

    private void ns(String name) {
        ovs.check("ip", "netns", "add", name);
        namespaces.add(name);
        ovs.check("ip", "-n", name, "link", "set", "lo", "up");
    }

    /** A veth from {@code bridge} (OVS port {@code ofport}) to {@code eth0} in {@code ns}, tx checksum offload off. */
    private void attach(String bridge, String hostName, String ns, String device, int ofport) {
        ovs.check("ip", "link", "add", hostName, "type", "veth", "peer", "name", device, "netns", ns);
        ovs.check("ip", "link", "set", hostName, "up");
        ovs.check("ip", "-n", ns, "link", "set", device, "up");
        ovs.check("ip", "netns", "exec", ns, "ethtool", "-K", device, "tx", "off");
        ovs.check("ovs-vsctl", "add-port", bridge, hostName, "--", "set", "interface", hostName,
                "ofport_request=" + ofport);
    }

    private Ovs.Result ping(String ns, String address) {
        return Ovs.run(15, "ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", address);
    }

    @Test
    void vmOnTheGatewayPingsABoardOverTheOverlayAndAVmOnAnotherVniCannot() {
        String tunnel = underlayNet + "1";
        String boardVtep = underlayNet + "2";
        String boardIp = overlayNet + "2";
        String vm1Ip = overlayNet + "11";
        String vm2Ip = overlayNet + "12";
        String boardMac = "02:cf:00:00:00:02";
        String vm1Mac = "02:cf:00:00:01:11";
        String vm2Mac = "02:cf:00:00:01:12";

        // Underlay: br-phy with the tunnel address and the board's veth.
        ns(board);
        phy = ovs.bridge(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        ovs.check("ovs-vsctl", "set", "bridge", phy, "fail_mode=standalone");
        attach(phy, "cvofu-" + id, board, "u0", 1);
        ovs.check("ip", "-n", board, "addr", "add", boardVtep + "/24", "dev", "u0");
        ovs.check("ip", "addr", "add", tunnel + "/24", "dev", phy);
        ovs.check("ip", "link", "set", phy, "up");
        ovs.check("ovs-appctl", "ovs/route/add", underlayNet + "0/24", phy);

        // The board: a kernel VXLAN device for VNI A; frames for unknown MACs (ARP) go to the gateway's VTEP.
        ovs.check("ip", "-n", board, "link", "add", "vx0", "type", "vxlan", "id", "" + VNI_A, "dstport", "4789",
                "local", boardVtep, "dev", "u0", "nolearning");
        ovs.check("ip", "-n", board, "link", "set", "vx0", "address", boardMac, "mtu", "1450", "up");
        ovs.check("ip", "-n", board, "addr", "add", boardIp + "/24", "dev", "vx0");
        ovs.check("bridge", "-n", board, "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", tunnel);
        ovs.check("bridge", "-n", board, "fdb", "add", vm1Mac, "dev", "vx0", "dst", tunnel);

        // The gateway bridge, mastered by the controller: two VMs and a flow-based VXLAN port.
        String gw = ovs.bridge(dpid, southbound.port());
        ovs.check("ovs-vsctl", "add-port", gw, "cvofx-" + id, "--", "set", "interface", "cvofx-" + id,
                "type=vxlan", "options:remote_ip=flow", "options:key=flow", "options:local_ip=" + tunnel,
                "ofport_request=10");
        for (String[] vm : List.of(new String[] {vm1, vm1Ip, vm1Mac, "1"}, new String[] {vm2, vm2Ip, vm2Mac, "2"})) {
            ns(vm[0]);
            attach(gw, "cvof" + vm[3] + "-" + id, vm[0], "eth0", Integer.parseInt(vm[3]));
            ovs.check("ip", "-n", vm[0], "link", "set", "eth0", "address", vm[2], "mtu", "1450");
            ovs.check("ip", "-n", vm[0], "addr", "add", vm[1] + "/24", "dev", "eth0");
        }

        GatewayInput input = new GatewayInput(tunnel, 10, List.of(
                new OverlayOnGateway("sensors", VNI_A, List.of(new VmPort("vm1", 1, vm1Mac, vm1Ip)),
                        List.of(new RemoteMember("board-1", boardVtep, boardMac, boardIp))),
                new OverlayOnGateway("cameras", VNI_B, List.of(new VmPort("vm2", 2, vm2Mac, vm2Ip)), List.of())));
        southbound.desiredFlows().put(DatapathId.of(dpid), GatewayProgram.of(input));
        await().atMost(Duration.ofSeconds(20)).until(() -> southbound.reconciler().lastReport(DatapathId.of(dpid))
                .map(r -> r.error() == null && r.flowsAdded() > 0).orElse(false));
        int desired = southbound.desiredFlows().get(DatapathId.of(dpid)).flows().size();
        assertThat(ovs.flows(gw)).hasSize(desired);
        assertThat(ovs.check("ovs-ofctl", "-O", "OpenFlow13", "dump-groups", gw))
                .contains("group_id=" + VNI_A + ",type=all").contains("group_id=" + VNI_B + ",type=all");

        FlowReconciler.Report again = southbound.reconciler().reconcileNow(DatapathId.of(dpid)).orElseThrow();
        assertThat(List.of(again.flowsAdded(), again.flowsDeleted(), again.groupsAdded(), again.groupsModified(),
                again.groupsDeleted())).as("a second pass changes nothing: %s", again).containsOnly(0);

        Ovs.Result there = ping(vm1, boardIp);
        assertThat(there.exit()).as("vm1 -> board over VNI %d: %s", VNI_A, there.out()).isZero();
        Ovs.Result back = ping(board, vm1Ip);
        assertThat(back.exit()).as("board -> vm1: %s", back.out()).isZero();
        assertThat(ovs.check("ip", "netns", "exec", vm1, "ip", "neigh", "show", boardIp)).contains(boardMac);

        Ovs.Result isolated = ping(vm2, boardIp);
        assertThat(isolated.exit()).as("vm2 on VNI %d must not reach the board: %s", VNI_B, isolated.out())
                .isNotZero();
        assertThat(ovs.check("ip", "netns", "exec", board, "ip", "neigh", "show")).doesNotContain(vm2Ip);
    }
}
