package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A member of one overlay as the {@link Relay} sees it: its node, the MAC of its overlay interface, and where it
 * is on the underlay. A direct member is reached at {@code address:port} (its VTEP). A member behind NAT is
 * reached at whatever public endpoint the relay learned from its packets; {@code address} is then the public
 * address its controller saw, the only source address the relay learns it from, and {@code port} is unused.
 */
public record RelayMember(String nodeId, String mac, String address, int port, boolean behindNat) {

    public RelayMember {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId: missing");
        }
        Vxlan.parseMac(mac);                       // fails naming the MAC
        Ipv4Cidr.parseAddress("address", address); // fails naming the field
        port = port == 0 ? OverlayPlan.VXLAN_PORT : port;
    }

    /** A member reachable at its VTEP (its kernel or userspace datapath listens there). */
    public static RelayMember direct(String nodeId, String mac, String vtep, int port) {
        return new RelayMember(nodeId, mac, vtep, port, false);
    }

    /**
     * The relay's view of one overlay, from the same inputs as {@link OverlayPlans#forNode}: every member, direct
     * ones at their underlay VTEP, NAT'ed ones by their public address.
     *
     * @throws OverlayException (INVALID) when a member has no underlay, or is behind NAT without a public address
     */
    public static List<RelayMember> forOverlay(Collection<Member> members, Map<String, Underlay> underlay) {
        List<RelayMember> result = new ArrayList<>();
        for (Member m : members) {
            Underlay u = underlay.get(m.nodeId());
            if (u == null) {
                throw OverlayException.invalid("underlay", "member " + m.nodeId() + " has no underlay address");
            }
            if (u.behindNat() && u.publicAddress() == null) {
                throw OverlayException.invalid("publicAddress", "member " + m.nodeId() + " is behind NAT and has none");
            }
            result.add(u.behindNat() ? behindNat(m.nodeId(), m.mac(), u.publicAddress())
                    : direct(m.nodeId(), m.mac(), u.address(), u.port()));
        }
        return result;
    }

    /** A member behind NAT whose packets reach the controller from {@code publicAddress}. */
    public static RelayMember behindNat(String nodeId, String mac, String publicAddress) {
        return new RelayMember(nodeId, mac, publicAddress, 0, true);
    }
}
