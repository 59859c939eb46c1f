package io.civitas.overlay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Computes node plans. Pure: the same inputs give an equal plan on every controller. */
public final class OverlayPlans {

    /** Bytes of VXLAN encapsulation over IPv4: outer Ethernet 14 + IP 20 + UDP 8 + VXLAN 8. */
    public static final int VXLAN_OVERHEAD = 50;

    private OverlayPlans() {}

    /**
     * The plan of {@code nodeId} in {@code overlay}.
     *
     * @param members the overlay's members, this node among them
     * @param underlay each member's underlay (VTEP) IPv4 address by node id
     * @param underlayMtu the MTU of this node's underlay device
     * @throws OverlayException (INVALID) when the node is not a member, a member has no valid underlay address,
     *     or the underlay MTU leaves less than the IPv4 minimum
     */
    public static OverlayPlan forNode(Overlay overlay, String nodeId, Collection<Member> members,
                                      Map<String, String> underlay, int underlayMtu) {
        Member self = members.stream().filter(m -> m.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> OverlayException.invalid("nodeId", nodeId + " is not a member of overlay " + overlay.name()));
        int mtu = Math.min(overlay.mtu(), underlayMtu - VXLAN_OVERHEAD);
        if (mtu < Overlay.MIN_MTU) {
            throw OverlayException.invalid("underlayMtu", underlayMtu + " leaves " + mtu
                    + " bytes after VXLAN encapsulation, below " + Overlay.MIN_MTU);
        }
        List<OverlayPlan.Peer> peers = new ArrayList<>();
        for (Member m : members) {
            String vtep = vtepOf(m.nodeId(), underlay);
            if (!m.nodeId().equals(nodeId)) {
                peers.add(new OverlayPlan.Peer(m.nodeId(), vtep, m.mac(), m.address()));
            }
        }
        peers.sort(Comparator.comparing(OverlayPlan.Peer::nodeId));
        return new OverlayPlan(overlay.name(), overlay.vni(), nodeId, self.address(), overlay.prefixLength(),
                self.mac(), mtu, vtepOf(nodeId, underlay), peers);
    }

    private static String vtepOf(String nodeId, Map<String, String> underlay) {
        String vtep = underlay.get(nodeId);
        if (vtep == null) {
            throw OverlayException.invalid("underlay", "member " + nodeId + " has no underlay address");
        }
        Ipv4Cidr.parseAddress("underlay", vtep); // a bad address fails here, naming it
        return vtep;
    }
}
