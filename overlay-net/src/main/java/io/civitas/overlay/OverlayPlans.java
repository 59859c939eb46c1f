package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Computes node plans. Pure: the same inputs give an equal plan on every controller. */
public final class OverlayPlans {

    /** Bytes of VXLAN encapsulation over IPv4: outer Ethernet 14 + IP 20 + UDP 8 + VXLAN 8. */
    public static final int VXLAN_OVERHEAD = 50;

    private OverlayPlans() {}

    /**
     * The plan of {@code nodeId} in {@code overlay}, for nodes that all reach each other directly on the standard
     * VXLAN port and share one underlay MTU.
     */
    public static OverlayPlan forNode(Overlay overlay, String nodeId, Collection<Member> members,
                                      Map<String, String> underlay, int underlayMtu) {
        Map<String, Underlay> direct = new HashMap<>();
        underlay.forEach((node, address) -> direct.put(node, Underlay.direct(address, underlayMtu)));
        return forNode(overlay, nodeId, members, direct, null);
    }

    /**
     * The plan of {@code nodeId} in {@code overlay}.
     *
     * @param members the overlay's members, this node among them
     * @param underlay each member's underlay endpoint by node id
     * @param relay the relay VTEP that forwards for members behind NAT; null when there is none
     * @throws OverlayException (INVALID) when the node is not a member, a member has no valid underlay address,
     *     a member is behind NAT and there is no relay, or the underlay MTU leaves less than the IPv4 minimum
     */
    public static OverlayPlan forNode(Overlay overlay, String nodeId, Collection<Member> members,
                                      Map<String, Underlay> underlay, OverlayPlan.Endpoint relay) {
        Member self = members.stream().filter(m -> m.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> OverlayException.invalid("nodeId", nodeId + " is not a member of overlay " + overlay.name()));
        Underlay own = underlayOf(nodeId, underlay, relay);
        int mtu = Math.min(overlay.mtu(), own.mtu() - VXLAN_OVERHEAD);
        if (mtu < Overlay.MIN_MTU) {
            throw OverlayException.invalid("underlayMtu", own.mtu() + " leaves " + mtu
                    + " bytes after VXLAN encapsulation, below " + Overlay.MIN_MTU);
        }
        List<OverlayPlan.Peer> peers = new ArrayList<>();
        for (Member m : members) {
            if (m.nodeId().equals(nodeId)) {
                continue;
            }
            Underlay other = underlayOf(m.nodeId(), underlay, relay);
            // Through the relay when either end is behind NAT: neither can reach the other's address.
            boolean relayed = own.behindNat() || other.behindNat();
            peers.add(new OverlayPlan.Peer(m.nodeId(), relayed ? relay.address() : other.address(),
                    relayed ? relay.port() : other.port(), m.mac(), m.address()));
        }
        peers.sort(Comparator.comparing(OverlayPlan.Peer::nodeId));
        return new OverlayPlan(overlay.name(), overlay.vni(), nodeId, self.address(), overlay.prefixLength(),
                self.mac(), mtu, own.address(), own.port(), peers, own.behindNat() ? relay : null);
    }

    private static Underlay underlayOf(String nodeId, Map<String, Underlay> underlay, OverlayPlan.Endpoint relay) {
        Underlay u = underlay.get(nodeId);
        if (u == null || u.address() == null) {
            throw OverlayException.invalid("underlay", "member " + nodeId + " has no underlay address");
        }
        Ipv4Cidr.parseAddress("underlay", u.address()); // a bad address fails here, naming it
        if (u.behindNat() && relay == null) {
            throw OverlayException.invalid("relay", "member " + nodeId + " is behind NAT and no relay is configured");
        }
        return u;
    }
}
