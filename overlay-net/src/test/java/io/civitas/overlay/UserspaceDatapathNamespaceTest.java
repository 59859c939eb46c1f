package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.civitas.protocol.OverlayPlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The userspace datapath for real, in namespaces joined by a veth pair (underlay 10.201.0.0/24): against the
 * kernel's vxlan device (wire compatibility) and against itself. Needs root; fails, never skips.
 */
class UserspaceDatapathNamespaceTest {

    private static final int VNI = 5151;
    private final Overlay overlay = new Overlay("us-test", VNI, "10.201.100.0/24");
    private final List<Member> members = List.of(
            new Member("a", "10.201.100.1", Macs.forMember("us-test", "a")),
            new Member("b", "10.201.100.2", Macs.forMember("us-test", "b")));
    private final Map<String, String> underlay = Map.of("a", "10.201.0.1", "b", "10.201.0.2");

    private TestNetwork net;
    private String nsA;
    private String nsB;
    private UserspaceDatapath userspaceA;
    private UserspaceDatapath userspaceB;

    @BeforeEach
    void underlay() {
        net = TestNetwork.create("UserspaceDatapathNamespaceTest", "ethtool", "iperf3");
        nsA = net.namespace("a");
        nsB = net.namespace("b");
        net.veth(nsA, "u0", "10.201.0.1/24", nsB, "u0", "10.201.0.2/24");
    }

    @AfterEach
    void cleanUp() {
        if (userspaceA != null) {
            userspaceA.close();
        }
        if (userspaceB != null) {
            userspaceB.close();
        }
        net.close();
    }

    /**
     * A kernel vxlan device leaves the inner TCP/UDP checksum to the NIC (CHECKSUM_PARTIAL, offloaded through the
     * encapsulation). A veth never fills it in, so the userspace datapath receives frames whose inner checksum is
     * unfinished, the TAP's stack drops them, and TCP cannot connect (ICMP, checksummed in software, still
     * pings). Real NICs compute it; with veths the kernel node's side must: TX checksum offload off.
     */
    private void kernelNodeComputesChecksums(String ns) {
        net.in(ns, "ethtool", "-K", "u0", "tx", "off");
    }

    private OverlayPlan plan(String node) {
        return OverlayPlans.forNode(overlay, node, members, underlay, 1500);
    }

    @Test
    void userspaceNodeAndKernelNodePingEachOther() {
        userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
        userspaceA.apply(plan("a"));
        new KernelDatapath("u0", nsB).apply(plan("b"));

        net.ping(nsA, "10.201.100.2", 3);
        net.ping(nsB, "10.201.100.1", 3);
        assertThat(userspaceA.counters().received()).isGreaterThanOrEqualTo(6);
        // TCP both ways. The kernel node's veth must compute checksums itself (see kernelNodeComputesChecksums).
        kernelNodeComputesChecksums(nsB);
        net.tcpTransfer(nsA, nsB, "10.201.100.1");
        net.tcpTransfer(nsB, nsA, "10.201.100.2");
        assertThat(userspaceA.installed()).containsExactly(VNI);
        assertThat(net.in(nsA, "ip", "-o", "link", "show", "dev", DeviceNames.tap(VNI)))
                .contains("mtu 1450").contains(plan("a").mac());
    }

    @Test
    void twoUserspaceNodesPingEachOther() {
        userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
        userspaceB = new UserspaceDatapath(nsB, Duration.ofSeconds(5));
        userspaceA.apply(plan("a"));
        userspaceB.apply(plan("b"));

        net.ping(nsA, "10.201.100.2", 3);
        net.ping(nsB, "10.201.100.1", 3);
    }

    private static final int EIGHT_MB = 8 << 20;

    /** Large TCP segments both ways (TSO through the TAP, segmentation, GRO): the byte stream arrives intact. */
    @Test
    void eightMegabytesCrossBetweenUserspaceNodesIntact() {
        userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
        userspaceB = new UserspaceDatapath(nsB, Duration.ofSeconds(5));
        userspaceA.apply(plan("a"));
        userspaceB.apply(plan("b"));

        net.tcpTransferIntact(nsB, "10.201.100.2", nsA, EIGHT_MB);
        net.tcpTransferIntact(nsA, "10.201.100.1", nsB, EIGHT_MB);
        assertThat(userspaceA.counters().dropped()).isZero();
        assertThat(userspaceB.counters().dropped()).isZero();
    }

    /**
     * Where the kernel has no UDP GSO, or refuses it (before Linux 6.10, an underlay device without TX checksum
     * offload), the sender sends one datagram per segment with sendmmsg: the stream still arrives intact.
     */
    @Test
    void withoutUdpGsoTheSenderSendsDatagramsOneByOneAndStaysIntact() {
        net.in(nsA, "ethtool", "-K", "u0", "tx", "off");
        UdpSocket.tryGso = false;
        try {
            userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
            userspaceB = new UserspaceDatapath(nsB, Duration.ofSeconds(5));
            userspaceA.apply(plan("a"));
            userspaceB.apply(plan("b"));
        } finally {
            UdpSocket.tryGso = true;
        }

        net.tcpTransferIntact(nsB, "10.201.100.2", nsA, EIGHT_MB);
        net.tcpTransferIntact(nsA, "10.201.100.1", nsB, EIGHT_MB);
        assertThat(userspaceA.counters().sent()).isGreaterThan(EIGHT_MB / 1500);
        assertThat(userspaceA.counters().dropped()).isZero();
    }

    /** The same against a kernel vxlan device: what the userspace node segments, the kernel accepts, and back. */
    @Test
    void eightMegabytesCrossBetweenUserspaceAndKernelNodesIntact() {
        userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
        userspaceA.apply(plan("a"));
        new KernelDatapath("u0", nsB).apply(plan("b"));
        kernelNodeComputesChecksums(nsB);

        net.tcpTransferIntact(nsB, "10.201.100.2", nsA, EIGHT_MB);
        net.tcpTransferIntact(nsA, "10.201.100.1", nsB, EIGHT_MB);
    }

    @Test
    void reapplyChangesNothingAndRemoveDeletesTheDevice() {
        userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
        new KernelDatapath("u0", nsB).apply(plan("b"));
        userspaceA.apply(plan("a"));
        String before = tapState();

        userspaceA.apply(plan("a"));
        assertThat(tapState()).as("same device (ifindex), MAC, MTU, address, neighbours").isEqualTo(before);
        net.ping(nsA, "10.201.100.2", 1);

        // Membership changes: b leaves, c joins; the table and the neighbour entries change in place.
        List<Member> moved = List.of(members.get(0), new Member("c", "10.201.100.3", Macs.forMember("us-test", "c")));
        userspaceA.apply(OverlayPlans.forNode(overlay, "a", moved, Map.of("a", "10.201.0.1", "c", "10.201.0.3"), 1500));
        String neighbours = net.in(nsA, "ip", "neigh", "show", "dev", DeviceNames.tap(VNI), "nud", "permanent");
        assertThat(neighbours).contains("10.201.100.3").doesNotContain("10.201.100.2");
        assertThat(tapState().lines().findFirst()).isEqualTo(before.lines().findFirst());

        // Someone deletes the TAP: it drops out of installed(), and the next apply makes it again.
        net.in(nsA, "ip", "link", "del", "dev", DeviceNames.tap(VNI));
        await().atMost(Duration.ofSeconds(2)).until(() -> userspaceA.installed().isEmpty());
        userspaceA.apply(plan("a"));
        net.ping(nsA, "10.201.100.2", 1);

        userspaceA.remove(VNI);
        assertThat(userspaceA.installed()).isEmpty();
        assertThat(net.in(nsA, "ip", "-o", "link", "show")).doesNotContain("cv-tap-");
        userspaceA.remove(VNI); // nothing left: no error

        // A restarted agent: a new datapath makes the device again and forwards.
        userspaceA.close();
        userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
        userspaceA.apply(plan("a"));
        net.ping(nsA, "10.201.100.2", 1);
    }

    /** The TAP's link line (ifindex, flags, MTU, MAC), its IPv4 addresses and permanent neighbours. */
    private String tapState() {
        String tap = DeviceNames.tap(VNI);
        return String.join("\n",
                net.in(nsA, "ip", "-o", "link", "show", "dev", tap).replaceAll("state \\S+", "").strip(),
                net.in(nsA, "ip", "-o", "-4", "addr", "show", "dev", tap).replaceAll("valid_lft.*", ""),
                net.in(nsA, "ip", "neigh", "show", "dev", tap, "nud", "permanent"));
    }

    @Test
    void captureOnTheOverlayDeviceGivesAPcapFileBoundedByPacketsAndBytes() throws Exception {
        userspaceA = new UserspaceDatapath(nsA, Duration.ofSeconds(5));
        userspaceA.apply(plan("a"));
        new KernelDatapath("u0", nsB).apply(plan("b"));
        // Pings until the captures are done: on a loaded machine opening a capture can take seconds.
        Process pinging = new ProcessBuilder("ip", "netns", "exec", nsB, "ping", "-i", "0.2", "10.201.100.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            captureWhilePinging();
        } finally {
            pinging.destroy();
        }
    }

    private void captureWhilePinging() {
        byte[] pcap = Capture.run(DeviceNames.tap(VNI), "icmp", 4, Duration.ofSeconds(5), 1_000_000, nsA);
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).as("libpcap magic, microseconds").isEqualTo(0xa1b2c3d4);
        assertThat(b.getShort(4)).isEqualTo((short) 2);
        assertThat(b.getInt(20)).as("link type Ethernet").isEqualTo(1);
        assertThat(records(b)).isEqualTo(4);

        // 98-byte ICMP frames: 24 + 2 * (16 + 98) = 252 bytes hold two, not three.
        byte[] small = Capture.run(DeviceNames.tap(VNI), "icmp", 100, Duration.ofSeconds(5), 300, nsA);
        assertThat(small.length).isLessThanOrEqualTo(300);
        assertThat(records(ByteBuffer.wrap(small).order(ByteOrder.LITTLE_ENDIAN))).isEqualTo(2);

        byte[] quiet = Capture.run(DeviceNames.tap(VNI), "udp port 9", 10, Duration.ofMillis(300), 1_000_000, nsA);
        assertThat(quiet).as("nothing matched: header only, after the time bound").hasSize(24);
        assertThatThrownBy(() -> Capture.run(DeviceNames.tap(VNI), "icmp and and", 1, Duration.ofSeconds(1), 10_000, nsA))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bpfFilter: cannot compile 'icmp and and'");
        assertThatThrownBy(() -> Capture.run("no-such-dev", null, 1, Duration.ofSeconds(1), 10_000, nsA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("device:");
    }

    /** Counts the records of a libpcap file, checking that their lengths add up to the file's. */
    private static int records(ByteBuffer pcap) {
        int at = 24;
        int n = 0;
        while (at < pcap.limit()) {
            int captured = pcap.getInt(at + 8);
            assertThat(captured).isPositive().isLessThanOrEqualTo(pcap.getInt(at + 12));
            at += 16 + captured;
            n++;
        }
        assertThat(at).isEqualTo(pcap.limit());
        return n;
    }
}
