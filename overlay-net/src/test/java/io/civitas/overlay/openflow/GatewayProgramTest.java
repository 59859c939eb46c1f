package io.civitas.overlay.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.civitas.overlay.openflow.GatewayInput.OverlayOnGateway;
import io.civitas.overlay.openflow.GatewayInput.RemoteMember;
import io.civitas.overlay.openflow.GatewayInput.VmPort;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFGroupAdd;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

class GatewayProgramTest {

    private final GatewayInput input = new GatewayInput("10.0.0.1", 10, List.of(
            new OverlayOnGateway("a", 100, List.of(new VmPort("vm1", 1, "02:00:00:00:00:01", "10.1.0.11"),
                    new VmPort("vm3", 3, "02:00:00:00:00:03", "10.1.0.13")),
                    List.of(new RemoteMember("b1", "10.0.0.2", "02:00:00:00:00:b1", "10.1.0.2"),
                            new RemoteMember("b2", "10.0.0.2", "02:00:00:00:00:b2", "10.1.0.3"))),
            new OverlayOnGateway("b", 200, List.of(new VmPort("vm2", 2, "02:00:00:00:00:02", "10.1.0.12")),
                    List.of(new RemoteMember("b9", "10.0.0.9", "02:00:00:00:00:b9", "10.1.0.9")))));

    @Test
    void sameInputGivesTheSameFlowsAndCookies() {
        FlowProgram a = GatewayProgram.of(input);
        FlowProgram b = GatewayProgram.of(input);
        assertThat(a.flows()).isEqualTo(b.flows());
        assertThat(a.groups()).isEqualTo(b.groups());
        assertThat(a.flows()).allMatch(f -> FlowCookies.isOurs(f.getCookie()));
    }

    @Test
    void everyForwardingFlowIsKeyedOnItsOverlaysVni() {
        FlowProgram p = GatewayProgram.of(input);
        for (OFFlowAdd f : p.flows()) {
            if (f.getTableId().getValue() == 1 && f.getPriority() > 0) {
                assertThat(f.getMatch().get(MatchField.TUNNEL_ID)).as(f.toString()).isIn(U64.of(100), U64.of(200));
            }
        }
        // VNI 200's forwarding flows reach only vm2's port or the tunnel, never VNI 100's VMs.
        assertThat(p.flows()).filteredOn(f -> U64.of(200).equals(f.getMatch().get(MatchField.TUNNEL_ID)))
                .noneMatch(f -> f.getInstructions().toString().matches(".*port=[13],.*"));
    }

    @Test
    void floodGroupHasOneBucketPerLocalVmAndPerDistinctRemoteVtep() {
        OFGroupAdd a = GatewayProgram.of(input).groups().stream()
                .filter(g -> g.getGroup().getGroupNumber() == 100).findFirst().orElseThrow();
        assertThat(a.getBuckets()).hasSize(3); // vm1, vm3, one for 10.0.0.2 (two boards behind it)
        assertThat(a.getBuckets().get(0).getActions()).containsExactly(
                GatewayProgram.OF.actions().output(OFPort.of(1), 0xffff));
        assertThat(a.getBuckets().get(2).getActions().get(1)).isInstanceOfSatisfying(OFActionOutput.class,
                o -> assertThat(o.getPort()).isEqualTo(OFPort.of(10)));
    }

    @Test
    void arpResponderAnswersEachVmForEveryOtherAddressOfItsOverlayOnly() {
        long arp = GatewayProgram.of(input).flows().stream().filter(f -> f.getPriority() == 300).count();
        // overlay a: 2 VMs x (1 other VM + 2 remotes) = 6; overlay b: 1 VM x 1 remote = 1
        assertThat(arp).isEqualTo(7);
    }

    @Test
    void changingAFlowChangesItsCookie() {
        GatewayInput moved = new GatewayInput("10.0.0.1", 10, List.of(
                new OverlayOnGateway("b", 200, List.of(new VmPort("vm2", 2, "02:00:00:00:00:02", "10.1.0.12")),
                        List.of(new RemoteMember("b9", "10.0.0.99", "02:00:00:00:00:b9", "10.1.0.9")))));
        List<U64> before = GatewayProgram.of(input).flows().stream().map(OFFlowAdd::getCookie).toList();
        List<U64> after = GatewayProgram.of(moved).flows().stream().map(OFFlowAdd::getCookie).toList();
        assertThat(after).as("the b9 unicast flow moved to a new VTEP: a new cookie").isNotEmpty()
                .anyMatch(c -> !before.contains(c));
    }
}
