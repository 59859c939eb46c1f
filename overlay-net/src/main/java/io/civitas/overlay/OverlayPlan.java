package io.civitas.overlay;

import java.util.List;

/**
 * What one node needs to be in one overlay: its devices, its overlay address and MAC, its MTU, the underlay
 * address its VXLAN device sends from, and its peers. The forwarding entries are derived from the peers, so
 * known peers need no flooding (as flannel and Neutron's l2population do); broadcast (ARP for unknown hosts,
 * DHCP) is replicated by this node to every peer VTEP (head-end replication).
 */
public record OverlayPlan(String overlay, int vni, String nodeId, String address, int prefixLength, String mac,
                          int mtu, String localVtep, List<Peer> peers) {

    /** The all-zero MAC: an FDB entry with it sends broadcast and unknown unicast to its VTEP. */
    public static final String FLOOD_MAC = "00:00:00:00:00:00";

    /** Another member: its underlay VTEP address, the MAC of its overlay interface and its overlay address. */
    public record Peer(String nodeId, String vtep, String mac, String address) {}

    /** A static forwarding entry of the VXLAN device: frames to {@code mac} go to {@code vtep}. */
    public record FdbEntry(String mac, String vtep) {}

    /** A permanent neighbour (ARP) entry on the overlay interface. */
    public record Neighbour(String address, String mac) {}

    public OverlayPlan {
        peers = List.copyOf(peers);
    }

    public String bridge() {
        return DeviceNames.bridge(vni);
    }

    public String vxlan() {
        return DeviceNames.vxlan(vni);
    }

    public String tap() {
        return DeviceNames.tap(vni);
    }

    /** One unicast entry per peer. */
    public List<FdbEntry> unicastFdb() {
        return peers.stream().map(p -> new FdbEntry(p.mac(), p.vtep())).toList();
    }

    /** One all-zero entry per distinct peer VTEP: head-end replication of broadcast. */
    public List<FdbEntry> floodFdb() {
        return peers.stream().map(Peer::vtep).distinct().map(v -> new FdbEntry(FLOOD_MAC, v)).toList();
    }

    public List<Neighbour> neighbours() {
        return peers.stream().map(p -> new Neighbour(p.address(), p.mac())).toList();
    }
}
