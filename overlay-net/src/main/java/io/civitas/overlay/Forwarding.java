package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One overlay's forwarding table in the userspace datapath, built from the plan's static FDB: where a frame goes by
 * its destination MAC (unicast entries; group addresses and unknown MACs go to every flood entry: head-end
 * replication), and whose packets are accepted (the peers' VTEP addresses, any source port, because the
 * kernel's vxlan device sends from a hashed source port; and the relay, address and port). Immutable: a re-apply
 * swaps the whole table in one write, so the forwarding threads never see half of one.
 */
record Forwarding(Map<Long, InetSocketAddress> unicast, List<InetSocketAddress> flood, InetSocketAddress relay,
                  int[] peerIpv4s, int relayIpv4) {

    static Forwarding of(OverlayPlan plan) {
        Map<Long, InetSocketAddress> unicast = new HashMap<>();
        for (OverlayPlan.FdbEntry e : plan.unicastFdb()) {
            unicast.put(Vxlan.parseMac(e.mac()), endpoint(e.vtep(), e.port()));
        }
        List<InetSocketAddress> flood = plan.floodFdb().stream().map(e -> endpoint(e.vtep(), e.port())).toList();
        Set<InetAddress> peers = new HashSet<>();
        for (InetSocketAddress a : unicast.values()) {
            peers.add(a.getAddress());
        }
        InetSocketAddress relay = plan.relay() == null ? null : endpoint(plan.relay().address(), plan.relay().port());
        int[] ipv4s = peers.stream().mapToInt(Forwarding::ipv4).toArray();
        return new Forwarding(Map.copyOf(unicast), flood, relay, ipv4s, relay == null ? 0 : ipv4(relay.getAddress()));
    }

    /** Where a frame to {@code destinationMac} is sent. */
    List<InetSocketAddress> targets(long destinationMac) {
        if (!Vxlan.isGroup(destinationMac)) {
            InetSocketAddress to = unicast.get(destinationMac);
            if (to != null) {
                return List.of(to);
            }
        }
        return flood;
    }

    /**
     * Whether a VXLAN packet from the sender {@code address} (IPv4, big-endian int) and {@code port} may be
     * delivered into this overlay: the relay's address and port, or any peer's address.
     */
    boolean accepts(int address, int port) {
        if (relay != null && port == relay.getPort() && address == relayIpv4) {
            return true;
        }
        for (int peer : peerIpv4s) {
            if (peer == address) {
                return true;
            }
        }
        return false;
    }

    private static int ipv4(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static InetSocketAddress endpoint(String address, int port) {
        try {
            Ipv4Cidr.parseAddress("vtep", address); // an IPv4 literal, so getByName below looks up no name
            return new InetSocketAddress(InetAddress.getByName(address), port);
        } catch (UnknownHostException e) {
            throw new DatapathException("bad VTEP address " + address + ": " + e.getMessage(), e);
        }
    }
}
