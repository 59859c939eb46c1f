package io.civitas.protocol;

import java.util.List;

/**
 * What one node needs to be in one overlay: its overlay address and MAC, its MTU, the underlay address its
 * VXLAN endpoint sends from, and its peers. The forwarding entries are derived from the peers, so known peers
 * need no flooding (as flannel and Neutron's l2population do); broadcast (ARP for unknown hosts, DHCP) is
 * replicated by this node to every peer VTEP (head-end replication).
 *
 * <p>A node behind NAT cannot be reached at its underlay address. Its plan names a {@code relay}: every peer's
 * VTEP is then the relay, the node must use the userspace datapath (one UDP socket for sending and receiving,
 * so the NAT mapping its keepalives open is the one replies come back through), and it sends keepalives to
 * the relay. The other members' plans point at the relay for that node's MAC in the same way.
 *
 * @param localPort the UDP port this node's VTEP listens on ({@link #VXLAN_PORT} for the kernel datapath)
 * @param relay null unless this node is behind NAT
 */
public record OverlayPlan(String overlay, int vni, String nodeId, String address, int prefixLength, String mac,
                          int mtu, String localVtep, int localPort, List<Peer> peers, Endpoint relay) {

    /** The IANA VXLAN port (RFC 7348). */
    public static final int VXLAN_PORT = 4789;

    /** The all-zero MAC: an FDB entry with it sends broadcast and unknown unicast to its VTEP. */
    public static final String FLOOD_MAC = "00:00:00:00:00:00";

    /**
     * Another member: the underlay VTEP (address and UDP port) its frames are sent to, which is the relay's when
     * either side is behind NAT; the MAC of its overlay interface; its overlay address.
     */
    public record Peer(String nodeId, String vtep, int port, String mac, String address) {
        public Peer {
            port = port == 0 ? VXLAN_PORT : port;
        }
    }

    /** A UDP endpoint on the underlay. */
    public record Endpoint(String address, int port) {}

    /** A static forwarding entry of the VXLAN endpoint: frames to {@code mac} go to {@code vtep:port}. */
    public record FdbEntry(String mac, String vtep, int port) {}

    /** A permanent neighbour (ARP) entry on the overlay interface. */
    public record Neighbour(String address, String mac) {}

    public OverlayPlan {
        peers = peers == null ? List.of() : List.copyOf(peers);
        localPort = localPort == 0 ? VXLAN_PORT : localPort;
    }

    /** True when this node is behind NAT and reaches its peers through {@link #relay()}. */
    public boolean behindNat() {
        return relay != null;
    }

    /** One unicast entry per peer. */
    public List<FdbEntry> unicastFdb() {
        return peers.stream().map(p -> new FdbEntry(p.mac(), p.vtep(), p.port())).toList();
    }

    /** One all-zero entry per distinct peer VTEP: head-end replication of broadcast. */
    public List<FdbEntry> floodFdb() {
        return peers.stream().map(p -> new FdbEntry(FLOOD_MAC, p.vtep(), p.port())).distinct().toList();
    }

    public List<Neighbour> neighbours() {
        return peers.stream().map(p -> new Neighbour(p.address(), p.mac())).toList();
    }
}
