package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.civitas.overlay.openflow.FlowCookies;
import io.civitas.overlay.openflow.FlowProgram;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** The southbound against a real Open vSwitch bridge (userspace datapath): handshake, echo, role, flows. */
class OpenFlowOvsTest {

    private static final OFFactory OF = OFChannelHandler.FACTORY;
    private final long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private OvsFixture fixture;
    private Ovs ovs;
    private CuratorFramework curator;
    private Southbound southbound;

    @BeforeEach
    void start() throws Exception {
        fixture = new OvsFixture();
        ovs = fixture.ovs;
        curator = fixture.curator();
        southbound = newSouthbound("c1", 0);
    }

    private Southbound newSouthbound(String id, int port) {
        return fixture.southbound(id, curator, OvsFixture.properties(port, Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    static OFFlowAdd flow(int inPort, int outPort, int priority) {
        return FlowCookies.stamp(OF.buildFlowAdd().setTableId(TableId.of(0)).setPriority(priority)
                .setMatch(OF.buildMatch().setExact(org.projectfloodlight.openflow.protocol.match.MatchField.IN_PORT,
                        OFPort.of(inPort)).setExact(org.projectfloodlight.openflow.protocol.match.MatchField.ETH_TYPE,
                        EthType.IPv4).build())
                .setInstructions(List.of(OF.instructions().applyActions(List.of(
                        OF.actions().setField(OF.oxms().tunnelId(U64.of(5001))),
                        OF.actions().output(OFPort.of(outPort), 0xffff)))))
                .build());
    }

    private OpenFlowSwitch awaitMaster(Southbound sb) {
        return OvsFixture.awaitMaster(sb, dpid);
    }

    @Test
    void handshakeEchoRoleAndFlowModVisibleInDumpFlows() throws Exception {
        String br = ovs.bridge(dpid, southbound.port());
        OpenFlowSwitch sw = awaitMaster(southbound);

        assertThat(sw.description().getMfrDesc()).contains("Nicira");
        assertThat(sw.ports()).as("the bridge's LOCAL port came in PORT_DESC")
                .anyMatch(p -> p.getPortNo().equals(OFPort.LOCAL));
        assertThat(sw.generationId()).isEqualTo(1);
        List<OFMessage> echo = sw.request(OF.buildEchoRequest().setData(new byte[] {1, 2, 3}).build())
                .get(5, TimeUnit.SECONDS);
        assertThat(echo.get(0)).isInstanceOf(OFEchoReply.class);
        assertThat(((OFEchoReply) echo.get(0)).getData()).containsExactly(1, 2, 3);

        southbound.desiredFlows().put(sw.dpid(), new FlowProgram(List.of(flow(1, 2, 100)), List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ovs.flows(br).size() == 1);
        assertThat(ovs.flows(br).get(0)).contains("priority=100,ip,in_port=1")
                .contains("set_field:0x1389->tun_id,output:2");

        // Idle for more than three echo intervals (1 s here): echoes keep the connection up.
        Thread.sleep(4_000);
        assertThat(southbound.switches().get(sw.dpid())).containsSame(sw);
        assertThat(sw.isConnected()).isTrue();
    }

    @Test
    void restartedControllerConvergesFlowsWithoutDuplicatesOrStaleOnes() throws Exception {
        String br = ovs.bridge(dpid, southbound.port());
        OpenFlowSwitch sw = awaitMaster(southbound);
        OFFlowAdd keep = flow(1, 2, 100);
        OFFlowAdd dropped = flow(2, 1, 100);
        southbound.desiredFlows().put(sw.dpid(), new FlowProgram(List.of(keep, dropped), List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ovs.flows(br).size() == 2);

        // The controller dies; meanwhile someone adds a flow by hand. The switch keeps its flows (fail_mode=secure).
        int port = southbound.port();
        southbound.close();
        ovs.check("ovs-ofctl", "-O", "OpenFlow13", "add-flow", br, "priority=7,in_port=3,actions=drop");
        assertThat(ovs.flows(br)).hasSize(3);

        // It comes back on the same port with a changed program: keep stays, dropped goes, added comes.
        OFFlowAdd added = flow(3, 4, 200);
        southbound = newSouthbound("c1", port);
        southbound.desiredFlows().put(DatapathId.of(dpid), new FlowProgram(List.of(keep, added), List.of()));
        OpenFlowSwitch again = awaitMaster(southbound);
        await().atMost(Duration.ofSeconds(20)).until(() -> southbound.reconciler().lastReport(again.dpid())
                .map(r -> r.error() == null && r.flowsUnchanged() + r.flowsAdded() == 2).orElse(false));
        List<String> flows = ovs.flows(br);
        assertThat(flows).hasSize(2);
        assertThat(flows).anyMatch(f -> f.contains("priority=100,ip,in_port=1"))
                .anyMatch(f -> f.contains("priority=200,ip,in_port=3"))
                .noneMatch(f -> f.contains("in_port=2")).noneMatch(f -> f.contains("priority=7"));
        assertThat(again.generationId()).as("a new term").isEqualTo(2);

        // A second pass finds nothing to do.
        FlowReconciler.Report second = southbound.reconciler().reconcileNow(again.dpid()).orElseThrow();
        assertThat(second.flowsAdded()).isZero();
        assertThat(second.flowsDeleted()).isZero();
        assertThat(second.flowsUnchanged()).isEqualTo(2);
        assertThat(ovs.flows(br)).isEqualTo(flows);
    }

    @Test
    void portStatusAndFlowRemovedReachTheListeners() throws Exception {
        java.util.concurrent.BlockingQueue<org.projectfloodlight.openflow.protocol.OFMessage> events =
                new java.util.concurrent.LinkedBlockingQueue<>();
        southbound.switches().addListener(new SwitchListener() {
            @Override
            public void portChanged(OpenFlowSwitch sw, org.projectfloodlight.openflow.protocol.OFPortStatus status) {
                events.add(status);
            }

            @Override
            public void flowRemoved(OpenFlowSwitch sw, org.projectfloodlight.openflow.protocol.OFFlowRemoved removed) {
                events.add(removed);
            }
        });
        String br = ovs.bridge(dpid, southbound.port());
        OpenFlowSwitch sw = awaitMaster(southbound);
        String port = "cvofp" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x1000, 0xffff));
        ovs.check("ovs-vsctl", "add-port", br, port, "--", "set", "interface", port, "type=internal",
                "ofport_request=7");
        await().atMost(Duration.ofSeconds(10)).until(() -> sw.ports().stream()
                .anyMatch(p -> p.getName().equals(port) && p.getPortNo().equals(OFPort.of(7))));
        assertThat(events).anyMatch(e -> e instanceof org.projectfloodlight.openflow.protocol.OFPortStatus);

        sw.send(OF.buildFlowAdd().setPriority(9).setHardTimeout(1)
                .setFlags(java.util.Set.of(org.projectfloodlight.openflow.protocol.OFFlowModFlags.SEND_FLOW_REM))
                .setMatch(OF.buildMatch().setExact(org.projectfloodlight.openflow.protocol.match.MatchField.IN_PORT,
                        OFPort.of(7)).build()).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
                .anyMatch(e -> e instanceof org.projectfloodlight.openflow.protocol.OFFlowRemoved r
                        && r.getPriority() == 9));
        ovs.check("ovs-vsctl", "del-port", br, port);
        await().atMost(Duration.ofSeconds(10)).until(() -> sw.ports().stream().noneMatch(p -> p.getName().equals(port)));
    }
}
