package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlayPlansTest {

    private final Overlay overlay = new Overlay("city", 42, "10.20.0.0/24");
    private final List<Member> members = List.of(
            member("board-1", "10.20.0.1"), member("board-2", "10.20.0.2"), member("vm-1", "10.20.0.3"));
    private final Map<String, String> underlay = Map.of(
            "board-1", "192.0.2.1", "board-2", "192.0.2.2", "vm-1", "192.0.2.3");

    @Test
    void planHasTheNodesDevicesAddressAndMtu() {
        OverlayPlan plan = OverlayPlans.forNode(overlay, "board-1", members, underlay, 1500);
        assertThat(DeviceNames.bridge(plan.vni())).isEqualTo("cv-br-42");
        assertThat(DeviceNames.vxlan(plan.vni())).isEqualTo("cv-vx-42");
        assertThat(DeviceNames.tap(plan.vni())).isEqualTo("cv-tap-42");
        assertThat(plan.address()).isEqualTo("10.20.0.1");
        assertThat(plan.prefixLength()).isEqualTo(24);
        assertThat(plan.mac()).isEqualTo(Macs.forMember("city", "board-1"));
        assertThat(plan.localVtep()).isEqualTo("192.0.2.1");
        assertThat(plan.mtu()).isEqualTo(1450);
    }

    @Test
    void mtuIsUnderlayMinusFiftyCappedByTheOverlay() {
        assertThat(OverlayPlans.forNode(overlay, "board-1", members, underlay, 1400).mtu()).isEqualTo(1350);
        assertThat(OverlayPlans.forNode(overlay, "board-1", members, underlay, 9000).mtu()).isEqualTo(1450);
        assertThatThrownBy(() -> OverlayPlans.forNode(overlay, "board-1", members, underlay, 600))
                .hasMessageStartingWith("underlayMtu: 600");
    }

    @Test
    void everyPeerGetsAStaticFdbEntryAFloodEntryAndANeighbour() {
        OverlayPlan plan = OverlayPlans.forNode(overlay, "board-1", members, underlay, 1500);
        assertThat(plan.peers()).extracting(OverlayPlan.Peer::nodeId).containsExactly("board-2", "vm-1");
        assertThat(plan.unicastFdb()).containsExactly(
                new OverlayPlan.FdbEntry(Macs.forMember("city", "board-2"), "192.0.2.2", 4789),
                new OverlayPlan.FdbEntry(Macs.forMember("city", "vm-1"), "192.0.2.3", 4789));
        assertThat(plan.floodFdb()).containsExactly(
                new OverlayPlan.FdbEntry("00:00:00:00:00:00", "192.0.2.2", 4789),
                new OverlayPlan.FdbEntry("00:00:00:00:00:00", "192.0.2.3", 4789));
        assertThat(plan.neighbours()).containsExactly(
                new OverlayPlan.Neighbour("10.20.0.2", Macs.forMember("city", "board-2")),
                new OverlayPlan.Neighbour("10.20.0.3", Macs.forMember("city", "vm-1")));
    }

    @Test
    void peersSharingOneVtepGetOneFloodEntry() {
        Map<String, String> shared = Map.of("board-1", "192.0.2.1", "board-2", "192.0.2.9", "vm-1", "192.0.2.9");
        OverlayPlan plan = OverlayPlans.forNode(overlay, "board-1", members, shared, 1500);
        assertThat(plan.floodFdb()).containsExactly(new OverlayPlan.FdbEntry("00:00:00:00:00:00", "192.0.2.9", 4789));
        assertThat(plan.unicastFdb()).hasSize(2);
    }

    @Test
    void planIsTheSameWhateverTheMemberOrder() {
        OverlayPlan a = OverlayPlans.forNode(overlay, "vm-1", members, underlay, 1500);
        List<Member> reversed = new ArrayList<>(members);
        Collections.reverse(reversed);
        OverlayPlan b = OverlayPlans.forNode(overlay, "vm-1", reversed, underlay, 1500);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void nonMemberAndMissingUnderlayAreRefused() {
        assertThatThrownBy(() -> OverlayPlans.forNode(overlay, "board-9", members, underlay, 1500))
                .hasMessage("nodeId: board-9 is not a member of overlay city");
        assertThatThrownBy(() -> OverlayPlans.forNode(overlay, "board-1", members,
                Map.of("board-1", "192.0.2.1", "board-2", "192.0.2.2"), 1500))
                .hasMessage("underlay: member vm-1 has no underlay address");
        assertThatThrownBy(() -> OverlayPlans.forNode(overlay, "board-1", members,
                Map.of("board-1", "192.0.2.1", "board-2", "nope", "vm-1", "192.0.2.3"), 1500))
                .hasMessage("underlay: 'nope' is not an IPv4 address");
    }

    @Test
    void aNodeBehindNatReachesEveryPeerThroughTheRelayAndThePeersReachItThere() {
        OverlayPlan.Endpoint relay = new OverlayPlan.Endpoint("192.0.2.100", 4790);
        Map<String, Underlay> u = Map.of(
                "board-1", Underlay.direct("192.0.2.1", 1500),
                "board-2", new Underlay("10.9.0.2", 4789, 1500, true, "192.0.2.50", "userspace"),
                "vm-1", Underlay.direct("192.0.2.3", 1500));
        OverlayPlan natted = OverlayPlans.forNode(overlay, "board-2", members, u, relay);
        assertThat(natted.behindNat()).isTrue();
        assertThat(natted.relay()).isEqualTo(relay);
        assertThat(natted.localVtep()).isEqualTo("10.9.0.2");
        assertThat(natted.peers()).allSatisfy(p -> {
            assertThat(p.vtep()).isEqualTo("192.0.2.100");
            assertThat(p.port()).isEqualTo(4790);
        });
        assertThat(natted.floodFdb()).containsExactly(new OverlayPlan.FdbEntry("00:00:00:00:00:00", "192.0.2.100", 4790));

        OverlayPlan direct = OverlayPlans.forNode(overlay, "board-1", members, u, relay);
        assertThat(direct.behindNat()).isFalse();
        assertThat(direct.unicastFdb()).containsExactly(
                new OverlayPlan.FdbEntry(Macs.forMember("city", "board-2"), "192.0.2.100", 4790),
                new OverlayPlan.FdbEntry(Macs.forMember("city", "vm-1"), "192.0.2.3", 4789));
    }

    @Test
    void aNodeBehindNatWithoutARelayIsRefused() {
        Map<String, Underlay> u = Map.of(
                "board-1", Underlay.direct("192.0.2.1", 1500),
                "board-2", new Underlay("10.9.0.2", 4789, 1500, true, "192.0.2.50", "userspace"),
                "vm-1", Underlay.direct("192.0.2.3", 1500));
        assertThatThrownBy(() -> OverlayPlans.forNode(overlay, "board-1", members, u, null))
                .hasMessage("relay: member board-2 is behind NAT and no relay is configured");
    }

    private static Member member(String node, String ip) {
        return new Member(node, ip, Macs.forMember("city", node));
    }
}
