package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A userspace VXLAN relay for overlay members behind NAT, run by the controller on one UDP endpoint (default port
 * {@value #DEFAULT_PORT}, so it never collides with a kernel vxlan device on 4789 on the same host). Members behind
 * NAT send everything to it and it is their only peer; the other members send it the frames for NAT'ed MACs.
 *
 * <p>It learns each NAT'ed member's public endpoint (address and port, as the NAT mapped them) from that member's
 * packets, its {@link Keepalive}s in particular, and forwards by the inner frame's MACs:
 * <ul>
 * <li>the sender is the member of the packet's VNI whose MAC is the inner source MAC; a packet whose VNI or source
 *     MAC is unknown, or whose source address is not that member's (VTEP address for a direct member, public
 *     address for a NAT'ed one), is dropped;
 * <li>except a frame from a MAC that lives behind a member (a VM on a VM host's overlay bridge): its sender is the
 *     member at the packet's source (a direct member's VTEP, a NAT'ed member's learned endpoint), and the relay
 *     learns that the MAC is behind it, as a bridge learns a port (at most {@value #MAX_LEARNED_MACS} such MACs);
 * <li>a unicast frame to a member's MAC goes to that member: a direct one at its VTEP, a NAT'ed one at its learned
 *     endpoint (dropped while none is learned); between two direct members it is dropped (they reach each other
 *     themselves: the relay is no open reflector);
 * <li>broadcast, multicast and unknown unicast are replicated: from a NAT'ed member to every other member of the
 *     VNI, from a direct member to the NAT'ed members only (the direct ones got it from the sender already);
 * <li>keepalives are consumed.
 * </ul>
 * The VXLAN packet is forwarded unchanged, from the relay's socket: to a NAT'ed member this is the endpoint its
 * own packets went to, so its NAT lets the answer in.
 *
 * <p>Limits of the anti-spoofing: a learned endpoint is accepted only from the member's public address, which stops
 * a stranger elsewhere on the underlay from redirecting a member's traffic to itself. It does not stop a host that
 * shares that public address (behind the same NAT) or that can forge source addresses, and nothing in VXLAN is
 * authenticated or encrypted (RFC 7348 has neither): where that matters, run the underlay over IPsec or WireGuard.
 * The learned endpoint of a member is the last one seen: after its NAT remaps it, frames to it are lost until its
 * next packet (at most one keepalive interval).
 */
public final class Relay implements AutoCloseable {

    public static final int DEFAULT_PORT = 4790;

    /** Counters since start: datagrams sent on, datagrams dropped, endpoints learned (or changed), keepalives seen. */
    public record Counters(long forwarded, long dropped, long learned, long keepalives) {}

    /** One VNI's members, resolved for the forwarding path. */
    private record Group(Map<Long, Peer> byMac, List<Peer> all, Map<String, Peer> byNode) {}

    /** Bounds the MACs learned behind members, so a flood of made-up source MACs cannot grow the table forever. */
    static final int MAX_LEARNED_MACS = 65_536;

    private record Peer(RelayMember member, InetAddress address, InetSocketAddress vtep) {}

    private final DatagramChannel channel;
    private final InetSocketAddress endpoint;
    private final Thread receiver;
    private volatile Map<Integer, Group> groups = Map.of();
    private final Map<String, InetSocketAddress> learned = new ConcurrentHashMap<>();
    /** "vni/mac" of a MAC seen behind a member, to that member's node id. */
    private final Map<String, String> behindMembers = new ConcurrentHashMap<>();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder learnedCount = new LongAdder();
    private final LongAdder keepalives = new LongAdder();

    private Relay(DatagramChannel channel, InetSocketAddress endpoint) {
        this.channel = channel;
        this.endpoint = endpoint;
        this.receiver = new Thread(this::receiveLoop, "cv-relay-" + endpoint.getPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Binds {@code bindAddress:port} (port 0: any free port) in this network namespace and starts forwarding. */
    public static Relay start(String bindAddress, int port) {
        return start(bindAddress, port, null);
    }

    /**
     * @param netns a network namespace to bind the socket in ({@code /var/run/netns/NAME}), or null
     * @throws DatapathException when the endpoint cannot be bound
     */
    public static Relay start(String bindAddress, int port, String netns) {
        InetSocketAddress local = Forwarding.endpoint(bindAddress, port);
        DatagramChannel channel = UdpSockets.bind(local, netns, "relay", "");
        try {
            return new Relay(channel, (InetSocketAddress) channel.getLocalAddress());
        } catch (IOException e) {
            throw new DatapathException("relay socket: " + e.getMessage(), e);
        }
    }

    /**
     * Where members send to: the bound address and port, as the plans name it. Bound to the wildcard address
     * (0.0.0.0) this is not an address members can use: then give the plans the controller's own address.
     */
    public OverlayPlan.Endpoint endpoint() {
        return new OverlayPlan.Endpoint(endpoint.getAddress().getHostAddress(), endpoint.getPort());
    }

    /**
     * Replaces the membership: per VNI, its members. Learned endpoints of members that are still behind NAT at the
     * same public address are kept; the others are forgotten.
     */
    public void update(Map<Integer, List<RelayMember>> membersByVni) {
        Map<Integer, Group> next = new HashMap<>();
        Map<String, String> natAddress = new HashMap<>();
        membersByVni.forEach((vni, members) -> {
            Map<Long, Peer> byMac = new HashMap<>();
            Map<String, Peer> byNode = new HashMap<>();
            List<Peer> all = new ArrayList<>();
            for (RelayMember m : members) {
                InetSocketAddress at = Forwarding.endpoint(m.address(), m.port());
                Peer p = new Peer(m, at.getAddress(), m.behindNat() ? null : at);
                byMac.put(Vxlan.parseMac(m.mac()), p);
                byNode.put(m.nodeId(), p);
                all.add(p);
                if (m.behindNat()) {
                    natAddress.put(m.nodeId(), m.address());
                }
            }
            next.put(vni, new Group(Map.copyOf(byMac), List.copyOf(all), Map.copyOf(byNode)));
        });
        groups = Map.copyOf(next);
        learned.entrySet().removeIf(e -> !e.getValue().getAddress().getHostAddress().equals(natAddress.get(e.getKey())));
    }

    /** The public endpoint learned for a NAT'ed member, if any. */
    public Optional<InetSocketAddress> learned(String nodeId) {
        return Optional.ofNullable(learned.get(nodeId));
    }

    public Counters counters() {
        return new Counters(forwarded.sum(), dropped.sum(), learnedCount.sum(), keepalives.sum());
    }

    /** Stops forwarding and releases the endpoint. */
    @Override
    public void close() {
        try {
            channel.close();
            receiver.join(2000);
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void receiveLoop() {
        UdpSockets.receive(channel, ByteBuffer.allocateDirect(Vxlan.MAX_DATAGRAM), (packet, length, from) -> {
            if (!forward(packet, length, from)) {
                dropped.increment();
            }
        });
    }

    /** Handles one packet; false when it is dropped. */
    private boolean forward(ByteBuffer packet, int length, InetSocketAddress from) {
        int vni = Vxlan.vniOf(packet, length);
        Group group = vni < 0 ? null : groups.get(vni);
        if (group == null) {
            return false;
        }
        long source = Vxlan.macAt(packet, Vxlan.HEADER + 6);
        Peer sender = group.byMac().get(source);
        if (sender != null && !sender.address().equals(from.getAddress())) {
            return false; // a member's MAC from a source address that is not the member's: spoofed
        }
        if (sender == null) {
            sender = memberAt(group, from);
            if (sender == null || Vxlan.isGroup(source)) {
                return false; // from no member at all
            }
            if (behindMembers.size() < MAX_LEARNED_MACS || behindMembers.containsKey(vni + "/" + source)) {
                behindMembers.put(vni + "/" + source, sender.member().nodeId());
            }
        } else if (sender.member().behindNat()) {
            InetSocketAddress before = learned.put(sender.member().nodeId(), from);
            if (!from.equals(before)) {
                learnedCount.increment();
            }
        }
        if (Keepalive.is(packet, length)) {
            keepalives.increment();
            return true;
        }
        long destination = Vxlan.macAt(packet, Vxlan.HEADER);
        Peer target = Vxlan.isGroup(destination) ? null : group.byMac().get(destination);
        if (target == null && !Vxlan.isGroup(destination)) {
            String host = behindMembers.get(vni + "/" + destination);
            target = host == null ? null : group.byNode().get(host);
        }
        if (target != null) {
            if (target == sender || !(sender.member().behindNat() || target.member().behindNat())) {
                return false;
            }
            return sendTo(packet, length, target);
        }
        boolean any = false;
        for (Peer p : group.all()) {
            if (p != sender && (sender.member().behindNat() || p.member().behindNat())) {
                any |= sendTo(packet, length, p);
            }
        }
        return any;
    }

    /** The member a packet came from by its outer source: a direct member's VTEP or a NAT'ed one's learned endpoint. */
    private Peer memberAt(Group group, InetSocketAddress from) {
        for (Peer p : group.all()) {
            if (p.vtep() != null ? p.address().equals(from.getAddress())
                    : from.equals(learned.get(p.member().nodeId()))) {
                return p;
            }
        }
        return null;
    }

    private boolean sendTo(ByteBuffer packet, int length, Peer target) {
        InetSocketAddress to = target.vtep() != null ? target.vtep() : learned.get(target.member().nodeId());
        if (to == null) {
            return false; // a NAT'ed member not heard from yet
        }
        try {
            channel.send(packet.duplicate().limit(length).position(0), to);
            forwarded.increment();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

}
