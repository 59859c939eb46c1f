package io.civitas.bench;

import io.civitas.overlay.KernelDatapath;
import io.civitas.overlay.Member;
import io.civitas.overlay.Overlay;
import io.civitas.overlay.OverlayPlans;
import io.civitas.overlay.UserspaceDatapath;
import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * TCP throughput over four paths between the same two namespaces joined by one veth pair (underlay
 * 10.251.0.0/24, MTU 1500), measured with iperf3 in interleaved rounds (the order rotates each round) so that a
 * slow spell of the machine falls on all of them:
 *
 * <ol>
 *   <li>the underlay veth itself;</li>
 *   <li>a hand-built kernel VXLAN device on that veth (VNI 42, static FDB and neighbour, MTU 1450, no bridge, no
 *       TAP): the kernel datapath's own limit on this machine;</li>
 *   <li>Civitas' {@link KernelDatapath} (bridge, vxlan and TAP per overlay) applying the plans
 *       {@link OverlayPlans} computes for both nodes, underlay MTU 1500, so overlay MTU 1450;</li>
 *   <li>Civitas' {@link UserspaceDatapath} on both ends, the same kind of plans. Its VTEPs use UDP 4790: the kernel
 *       vxlan devices of paths 2 and 3, up in the same namespaces, hold 4789 on every address (the datapath's
 *       Javadoc says userspace overlays next to kernel ones need another port).</li>
 * </ol>
 */
final class OverlayThroughput {

    enum Path {
        UNDERLAY("underlay veth"),
        PLAIN_VXLAN("hand-built kernel VXLAN"),
        KERNEL("Civitas kernel datapath"),
        USERSPACE("Civitas userspace datapath");

        final String label;

        Path(String label) {
            this.label = label;
        }
    }

    /** Per path: every run, in order. */
    record Result(Map<Path, List<Iperf.Run>> runs) {
        double medianMbps(Path path) {
            return OverlayScenario.median(runs.get(path).stream().mapToDouble(Iperf.Run::megabitsPerSecond).toArray());
        }

        int mss(Path path) {
            return runs.get(path).get(0).mss();
        }
    }

    private static final String UNDERLAY_A = "10.251.0.1";
    private static final String UNDERLAY_B = "10.251.0.2";
    private static final int USERSPACE_PORT = 4790;

    private final BenchNetwork net;
    private final Consumer<String> progress;

    OverlayThroughput(BenchNetwork net, Consumer<String> progress) {
        this.net = net;
        this.progress = progress;
    }

    Result run(int seconds, int rounds) throws Exception {
        String a = net.namespace("tp-a");
        String b = net.namespace("tp-b");
        net.veth(a, "u0", UNDERLAY_A + "/24", b, "u0", UNDERLAY_B + "/24");
        Map<Path, String> targets = new EnumMap<>(Path.class);
        targets.put(Path.UNDERLAY, UNDERLAY_B);
        targets.put(Path.PLAIN_VXLAN, plainVxlan(a, b));
        targets.put(Path.KERNEL, civitasKernel(a, b));
        UserspaceDatapath userspaceA = new UserspaceDatapath(a, Duration.ofSeconds(5));
        UserspaceDatapath userspaceB = new UserspaceDatapath(b, Duration.ofSeconds(5));
        try (Iperf iperf = new Iperf(net, a, b)) {
            targets.put(Path.USERSPACE, civitasUserspace(userspaceA, userspaceB));
            for (Map.Entry<Path, String> t : targets.entrySet()) {
                reachable(a, t.getValue(), t.getKey());
            }
            progress.accept(String.format("throughput: %d interleaved rounds of 4 iperf3 TCP runs, %d s each (+1 s"
                    + " omitted), client in %s, server in %s", rounds, seconds, a, b));
            Map<Path, List<Iperf.Run>> runs = new EnumMap<>(Path.class);
            Path[] order = Path.values();
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < order.length; i++) {
                    Path path = order[(i + r) % order.length];
                    Map<String, Long> cpuBefore = path == Path.USERSPACE ? userspaceThreadCpu() : null;
                    long[] udpBefore = path == Path.USERSPACE ? udpReceiveErrors(a, b) : null;
                    long t0 = System.nanoTime();
                    Iperf.Run run = iperf.run(targets.get(path), seconds);
                    long wall = System.nanoTime() - t0;
                    runs.computeIfAbsent(path, p -> new ArrayList<>()).add(run);
                    progress.accept(String.format(Locale.ROOT,
                            "round %d/%d %-27s %,8.0f Mbit/s  (MSS %d, retransmits %d, iperf3 CPU sender %.0f%%"
                                    + " receiver %.0f%%)", r + 1, rounds, path.label, run.megabitsPerSecond(), run.mss(),
                            run.retransmits(), run.senderCpuPercent(), run.receiverCpuPercent()));
                    if (cpuBefore != null) {
                        long[] udpAfter = udpReceiveErrors(a, b);
                        progress.accept("  userspace datapath threads, CPU share of the run: "
                                + cpuShares(cpuBefore, userspaceThreadCpu(), wall)
                                + "; UDP receive-buffer drops in the run: A " + (udpAfter[0] - udpBefore[0]) + ", B "
                                + (udpAfter[1] - udpBefore[1]) + "; counters since start: A " + userspaceA.counters()
                                + ", B " + userspaceB.counters());
                    }
                }
            }
            return new Result(runs);
        } finally {
            userspaceA.close();
            userspaceB.close();
        }
    }

    /** Path 2: {@code ip link add vx42 type vxlan id 42 dstport 4789 nolearning local X dev u0}, static entries. */
    private String plainVxlan(String a, String b) throws Exception {
        String macA = "02:cb:00:00:2a:01";
        String macB = "02:cb:00:00:2a:02";
        plainVxlanEnd(a, UNDERLAY_A, macA, "10.251.1.1", UNDERLAY_B, macB, "10.251.1.2");
        plainVxlanEnd(b, UNDERLAY_B, macB, "10.251.1.2", UNDERLAY_A, macA, "10.251.1.1");
        return "10.251.1.2";
    }

    private void plainVxlanEnd(String ns, String local, String mac, String address, String peer, String peerMac,
                               String peerAddress) throws Exception {
        net.in(ns, "ip", "link", "add", "vx42", "type", "vxlan", "id", "42", "dstport", "4789", "nolearning",
                "local", local, "dev", "u0");
        net.in(ns, "ip", "link", "set", "vx42", "address", mac, "mtu", "1450", "up");
        net.in(ns, "ip", "addr", "add", address + "/24", "dev", "vx42");
        net.in(ns, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx42", "dst", peer);
        net.in(ns, "bridge", "fdb", "replace", peerMac, "dev", "vx42", "dst", peer);
        net.in(ns, "ip", "neigh", "replace", peerAddress, "lladdr", peerMac, "dev", "vx42", "nud", "permanent");
    }

    /** Path 3: the plans of overlay bench-kernel (VNI 4201, 10.251.2.0/24) through KernelDatapath in each namespace. */
    private String civitasKernel(String a, String b) {
        Overlay overlay = new Overlay("bench-kernel", 4201, "10.251.2.0/24");
        List<Member> members = List.of(new Member("a", "10.251.2.1", "02:cb:00:10:69:01"),
                new Member("b", "10.251.2.2", "02:cb:00:10:69:02"));
        Map<String, String> underlay = Map.of("a", UNDERLAY_A, "b", UNDERLAY_B);
        OverlayPlan planA = OverlayPlans.forNode(overlay, "a", members, underlay, 1500);
        OverlayPlan planB = OverlayPlans.forNode(overlay, "b", members, underlay, 1500);
        new KernelDatapath("u0", a).apply(planA);
        new KernelDatapath("u0", b).apply(planB);
        progress.accept("Civitas kernel datapath applied: overlay MTU " + planA.mtu() + " (underlay 1500 - "
                + OverlayPlans.VXLAN_OVERHEAD + ")");
        return "10.251.2.2";
    }

    /** Path 4: the plans of overlay bench-user (VNI 4202, 10.251.3.0/24) through UserspaceDatapath, UDP 4790. */
    private String civitasUserspace(UserspaceDatapath userspaceA, UserspaceDatapath userspaceB) {
        Overlay overlay = new Overlay("bench-user", 4202, "10.251.3.0/24");
        List<Member> members = List.of(new Member("a", "10.251.3.1", "02:cb:00:10:6a:01"),
                new Member("b", "10.251.3.2", "02:cb:00:10:6a:02"));
        Map<String, Underlay> underlay = Map.of(
                "a", new Underlay(UNDERLAY_A, USERSPACE_PORT, 1500, false, null, "userspace"),
                "b", new Underlay(UNDERLAY_B, USERSPACE_PORT, 1500, false, null, "userspace"));
        OverlayPlan planA = OverlayPlans.forNode(overlay, "a", members, underlay, null);
        userspaceA.apply(planA);
        userspaceB.apply(OverlayPlans.forNode(overlay, "b", members, underlay, null));
        progress.accept("Civitas userspace datapath applied: overlay MTU " + planA.mtu() + ", VTEPs on UDP "
                + USERSPACE_PORT);
        return "10.251.3.2";
    }

    private void reachable(String ns, String address, Path path) throws Exception {
        BenchNetwork.Result r = net.runIn(ns, 30, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", address);
        if (r.exit() != 0) {
            throw new IllegalStateException(path.label + ": " + address + " does not answer ping from " + ns + ": "
                    + (r.stdout() + r.stderr()).strip());
        }
    }

    /** UDP RcvbufErrors of /proc/net/snmp in each namespace: datagrams dropped because a socket's buffer was full. */
    private long[] udpReceiveErrors(String... namespaces) throws Exception {
        long[] drops = new long[namespaces.length];
        for (int i = 0; i < namespaces.length; i++) {
            List<String> udp = net.in(namespaces[i], "cat", "/proc/net/snmp").lines()
                    .filter(l -> l.startsWith("Udp:")).toList();
            List<String> names = List.of(udp.get(0).trim().split("\\s+"));
            drops[i] = Long.parseLong(udp.get(1).trim().split("\\s+")[names.indexOf("RcvbufErrors")]);
        }
        return drops;
    }

    /** CPU time (ns) of this JVM's userspace-datapath threads by name. */
    private static Map<String, Long> userspaceThreadCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> cpu = new TreeMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("cv-userspace-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    cpu.put(info.getThreadName() + "#" + info.getThreadId(), t);
                }
            }
        }
        return cpu;
    }

    /** The threads that used at least 1% of a core during the run, busiest first. */
    private static String cpuShares(Map<String, Long> before, Map<String, Long> after, long wallNanos) {
        List<String> shares = new ArrayList<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() * 100 >= wallNanos)
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .forEach(e -> shares.add(String.format(Locale.ROOT, "%s %.0f%%", e.getKey(),
                        100.0 * e.getValue() / wallNanos)));
        return shares.isEmpty() ? "none above 1%" : String.join(", ", shares);
    }
}
