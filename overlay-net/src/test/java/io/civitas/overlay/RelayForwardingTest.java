package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.civitas.protocol.Underlay;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's forwarding rules over loopback (no namespaces, no root): members are UDP sockets on 127.0.0.x, one
 * direct pair and two NAT'ed members whose "public address" is their own loopback address.
 */
class RelayForwardingTest {

    private static final int VNI = 77;
    private static final String D1 = "02:00:00:00:00:d1", D2 = "02:00:00:00:00:d2";
    private static final String N1 = "02:00:00:00:00:e1", N2 = "02:00:00:00:00:e2";

    private Relay relay;
    private DatagramChannel d1, d2, n1, n2;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start("127.0.0.1", 0);
        d1 = open("127.0.0.11");
        d2 = open("127.0.0.12");
        n1 = open("127.0.0.21");
        n2 = open("127.0.0.22");
        relay.update(Map.of(VNI, List.of(
                RelayMember.direct("d1", D1, "127.0.0.11", port(d1)),
                RelayMember.direct("d2", D2, "127.0.0.12", port(d2)),
                RelayMember.behindNat("n1", N1, "127.0.0.21"),
                RelayMember.behindNat("n2", N2, "127.0.0.22"))));
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
        for (DatagramChannel c : List.of(d1, d2, n1, n2)) {
            c.close();
        }
    }

    @Test
    void natMembersAreLearnedAndReachedAndBroadcastIsReplicatedOnlyWhereNeeded() throws Exception {
        keepalive(n1, N1);
        keepalive(n2, N2);
        await().atMost(Duration.ofSeconds(3)).until(() -> relay.counters().keepalives() == 2);
        assertThat(relay.learned("n1")).contains((InetSocketAddress) n1.getLocalAddress());

        send(d1, frame(N1, D1));                        // direct -> NAT'ed: to the learned endpoint
        assertThat(received(n1)).isTrue();
        send(n1, frame("ff:ff:ff:ff:ff:ff", N1));       // broadcast from a NAT'ed member: everyone else
        assertThat(received(d1) && received(d2) && received(n2)).isTrue();
        assertThat(received(n1)).as("not back to the sender").isFalse();

        send(d1, frame("ff:ff:ff:ff:ff:ff", D1));       // broadcast from a direct member: NAT'ed members only
        assertThat(received(n1) && received(n2)).isTrue();
        assertThat(received(d2)).as("d1 reaches d2 itself").isFalse();

        long dropped = relay.counters().dropped();
        send(d1, frame(D2, D1));                        // direct -> direct: not relayed
        send(d2, frame(N2, N1));                        // claims n1's MAC from d2's address: spoofed
        await().atMost(Duration.ofSeconds(3)).until(() -> relay.counters().dropped() == dropped + 2);
        assertThat(received(d2) || received(n2)).isFalse();
        assertThat(relay.learned("n1")).contains((InetSocketAddress) n1.getLocalAddress());
    }

    @Test
    void aMacBehindADirectMemberIsLearnedAndReachedThere() throws Exception {
        String vm = "02:00:00:00:00:f1";
        keepalive(n1, N1);
        await().atMost(Duration.ofSeconds(3)).until(() -> relay.learned("n1").isPresent());
        send(d1, frame("ff:ff:ff:ff:ff:ff", vm));       // a VM on d1's bridge broadcasts (ARP): NAT'ed members get it
        assertThat(received(n1)).isTrue();
        send(n1, frame(vm, N1));                        // the NAT'ed member answers the VM: to d1, where it lives
        assertThat(received(d1)).isTrue();
        assertThat(received(d2)).isFalse();

        long dropped = relay.counters().dropped();
        DatagramChannel stranger = open("127.0.0.99");
        send(stranger, frame(N1, vm));                  // from no member's address: dropped, nothing learned
        await().atMost(Duration.ofSeconds(3)).until(() -> relay.counters().dropped() == dropped + 1);
        assertThat(received(n1)).isFalse();
        stranger.close();
    }

    @Test
    void anUpdateForgetsMembersThatLeft() throws Exception {
        keepalive(n1, N1);
        await().atMost(Duration.ofSeconds(3)).until(() -> relay.learned("n1").isPresent());
        relay.update(Map.of(VNI, List.of(RelayMember.direct("d1", D1, "127.0.0.11", port(d1)))));
        assertThat(relay.learned("n1")).isEmpty();
    }

    private static DatagramChannel open(String address) throws Exception {
        DatagramChannel c = DatagramChannel.open();
        c.bind(new InetSocketAddress(address, 0));
        c.socket().setSoTimeout(300);
        return c;
    }

    private static int port(DatagramChannel c) throws Exception {
        return ((InetSocketAddress) c.getLocalAddress()).getPort();
    }

    private void keepalive(DatagramChannel from, String mac) throws Exception {
        from.send(Keepalive.packet(VNI, Vxlan.parseMac(mac)), relayAddress());
    }

    private void send(DatagramChannel from, ByteBuffer packet) throws Exception {
        from.send(packet, relayAddress());
    }

    private InetSocketAddress relayAddress() {
        return new InetSocketAddress(relay.endpoint().address(), relay.endpoint().port());
    }

    /** A VXLAN packet with an Ethernet frame (type IPv4, 46 zero bytes of payload). */
    private static ByteBuffer frame(String dst, String src) {
        ByteBuffer b = ByteBuffer.allocate(Vxlan.HEADER + 60);
        Vxlan.writeHeader(b, VNI);
        b.put(8, java.util.HexFormat.ofDelimiter(":").parseHex(dst));
        b.put(14, java.util.HexFormat.ofDelimiter(":").parseHex(src));
        b.putShort(20, (short) 0x0800);
        return b;
    }

    /** Whether a datagram arrives within the socket's timeout (blocking socket API, so the timeout applies). */
    private static boolean received(DatagramChannel c) throws Exception {
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[2048], 2048);
        try {
            c.socket().receive(p);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void membersComeFromTheSameInputsAsThePlans() {
        List<RelayMember> members = RelayMember.forOverlay(
                List.of(new Member("vm", "10.9.0.1", D1), new Member("board", "10.9.0.2", N1)),
                Map.of("vm", Underlay.direct("192.0.2.1", 1500),
                        "board", new Underlay("192.168.1.20", 4789, 1500, true, "198.51.100.7")));
        assertThat(members).containsExactly(
                RelayMember.direct("vm", D1, "192.0.2.1", 4789),
                RelayMember.behindNat("board", N1, "198.51.100.7"));
    }
}
