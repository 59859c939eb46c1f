package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node behind NAT reaches a kernel node through the relay. Namespaces:
 * <pre>
 *  inner 192.168.77.2 --- 192.168.77.1 nat 10.203.0.1 (MASQUERADE) ---+
 *                                                                      | bridge br0 in "ul"
 *                                    kern 10.203.0.2 (kernel vxlan) ---+
 *                                    relay 10.203.0.3:4790 (Relay) ----+
 * </pre>
 * The inner node's underlay address is private; the relay sees it as 10.203.0.1. Root and iptables; fails, never skips.
 */
class RelayNatNamespaceTest {

    private static final int VNI = 6161;
    private final Overlay overlay = new Overlay("nat-test", VNI, "10.203.100.0/24");
    private final String innerMac = Macs.forMember("nat-test", "inner");
    private final String kernMac = Macs.forMember("nat-test", "kern");
    private final List<Member> members = List.of(
            new Member("inner", "10.203.100.1", innerMac),
            new Member("kern", "10.203.100.2", kernMac));
    private final Map<String, Underlay> underlay = Map.of(
            "inner", new Underlay("192.168.77.2", 4789, 1500, true, "10.203.0.1"),
            "kern", Underlay.direct("10.203.0.2", 1500));

    private TestNetwork net;
    private String inner;
    private String kern;
    private String relayNs;
    private Relay relay;
    private UserspaceDatapath innerDatapath;

    @BeforeEach
    void network() {
        net = TestNetwork.create("RelayNatNamespaceTest", "iptables");
        inner = net.namespace("in");
        String nat = net.namespace("nat");
        String ul = net.namespace("ul");
        kern = net.namespace("kern");
        relayNs = net.namespace("rly");
        net.in(ul, "ip", "link", "add", "br0", "type", "bridge");
        net.in(ul, "ip", "link", "set", "br0", "up");
        net.veth(inner, "u0", "192.168.77.2/24", nat, "lan", "192.168.77.1/24");
        net.veth(nat, "wan", "10.203.0.1/24", ul, "p-nat", null);
        net.veth(kern, "u0", "10.203.0.2/24", ul, "p-kern", null);
        net.veth(relayNs, "u0", "10.203.0.3/24", ul, "p-rly", null);
        for (String port : List.of("p-nat", "p-kern", "p-rly")) {
            net.in(ul, "ip", "link", "set", port, "master", "br0");
        }
        net.in(inner, "ip", "route", "add", "default", "via", "192.168.77.1");
        net.in(nat, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        net.in(nat, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE");
    }

    @AfterEach
    void cleanUp() {
        if (innerDatapath != null) {
            innerDatapath.close();
        }
        if (relay != null) {
            relay.close();
        }
        net.close();
    }

    @Test
    void natNodeAndKernelNodePingThroughTheRelayAndASpoofedKeepaliveIsNotLearned() throws Exception {
        relay = Relay.start("10.203.0.3", Relay.DEFAULT_PORT, relayNs);
        OverlayPlan.Endpoint at = relay.endpoint();
        assertThat(at).isEqualTo(new OverlayPlan.Endpoint("10.203.0.3", 4790));
        relay.update(Map.of(VNI, List.of(
                RelayMember.behindNat("inner", innerMac, "10.203.0.1"),
                RelayMember.direct("kern", kernMac, "10.203.0.2", 4789))));

        OverlayPlan innerPlan = OverlayPlans.forNode(overlay, "inner", members, underlay, at);
        OverlayPlan kernPlan = OverlayPlans.forNode(overlay, "kern", members, underlay, at);
        assertThat(innerPlan.behindNat()).isTrue();
        assertThat(DatapathChoice.choose(innerPlan, DatapathChoice.Mode.AUTO, true).kind())
                .isEqualTo(DatapathChoice.Kind.USERSPACE);
        innerDatapath = new UserspaceDatapath(inner, Duration.ofSeconds(1));
        innerDatapath.apply(innerPlan);
        new KernelDatapath("u0", kern).apply(kernPlan);

        await().atMost(Duration.ofSeconds(5)).until(() -> relay.learned("inner").isPresent());
        InetSocketAddress learned = relay.learned("inner").orElseThrow();
        assertThat(learned.getAddress().getHostAddress()).as("the NAT's public address, not 192.168.77.2")
                .isEqualTo("10.203.0.1");

        net.ping(kern, "10.203.100.1", 3);   // kernel node -> relay -> NAT -> inner: needs the learned mapping
        net.ping(inner, "10.203.100.2", 3);
        assertThat(relay.counters().forwarded()).isGreaterThanOrEqualTo(12);
        assertThat(innerDatapath.counters().keepalives()).isGreaterThanOrEqualTo(1);

        // Someone else on the underlay (here: the kernel node's address) claims to be the NAT'ed node.
        long droppedBefore = relay.counters().dropped();
        ByteBufferSender.from(kern, "10.203.0.2").send(Keepalive.packet(VNI, Vxlan.parseMac(innerMac)),
                new InetSocketAddress("10.203.0.3", 4790));
        await().atMost(Duration.ofSeconds(3)).until(() -> relay.counters().dropped() > droppedBefore);
        assertThat(relay.learned("inner")).contains(learned);
        net.ping(kern, "10.203.100.1", 1);
    }

    /** A UDP socket in a namespace, for packets no datapath would send. */
    private record ByteBufferSender(DatagramChannel channel) {
        static ByteBufferSender from(String netns, String address) {
            return new ByteBufferSender(Netns.call(netns, () -> {
                DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
                c.bind(new InetSocketAddress(address, 0));
                return c;
            }));
        }

        void send(java.nio.ByteBuffer packet, InetSocketAddress to) throws Exception {
            try (channel) {
                channel.send(packet, to);
            }
        }
    }
}
