package io.civitas.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Issue 4's benchmark, {@code bench/run overlay}: TCP throughput over the Civitas overlays against the underlay
 * veth (and against a hand-built kernel VXLAN, the kernel datapath's own limit here) in one run
 * ({@link OverlayThroughput}), then the time from adding a member through the REST API until every other member
 * pings it ({@link OverlayConvergence}). Needs root, iproute2 (ip, bridge, ss), iperf3, iputils ping and
 * /dev/net/tun. Every namespace it makes is named {@code cvbo-*} and deleted at the end, also on failure.
 */
final class OverlayScenario implements Scenario {
    static final String NAME = "overlay";
    /** Throughput rounds: each runs every path once, in a rotating order. */
    static final int THROUGHPUT_ROUNDS = 3;
    /** Convergence rounds: each adds one node. */
    static final int CONVERGENCE_ROUNDS = 5;

    @Override
    public String description() {
        return "iperf3 TCP over the kernel and userspace overlays vs the underlay veth; member-join convergence";
    }

    @Override
    public List<Figure> run(Options o, Consumer<String> progress) throws Exception {
        BenchNetwork.requireRootAndTools("ip", "bridge", "ss", "iperf3", "ping");
        List<Figure> figures = new ArrayList<>();
        OverlayThroughput.Result throughput;
        try (BenchNetwork net = new BenchNetwork()) {
            throughput = new OverlayThroughput(net, progress).run(o.seconds(), THROUGHPUT_ROUNDS);
        }
        figures.addAll(throughputFigures(throughput, o.seconds()));
        List<OverlayConvergence.Round> rounds;
        try (BenchNetwork net = new BenchNetwork()) {
            rounds = new OverlayConvergence(net, progress).run(o.members(), CONVERGENCE_ROUNDS);
        }
        figures.addAll(convergenceFigures(rounds, o.members()));
        return figures;
    }

    private static List<Figure> throughputFigures(OverlayThroughput.Result t, int seconds) {
        double underlay = Math.round(t.medianMbps(OverlayThroughput.Path.UNDERLAY));
        double plain = Math.round(t.medianMbps(OverlayThroughput.Path.PLAIN_VXLAN));
        double kernel = Math.round(t.medianMbps(OverlayThroughput.Path.KERNEL));
        double userspace = Math.round(t.medianMbps(OverlayThroughput.Path.USERSPACE));
        String runs = String.format("median of %d %d-s iperf3 TCP runs interleaved with the measured ones, same run",
                THROUGHPUT_ROUNDS, seconds);
        String veth = "the underlay veth between the same two namespaces (MTU 1500, MSS "
                + t.mss(OverlayThroughput.Path.UNDERLAY) + "), " + runs;
        String vxlan = "a hand-built kernel VXLAN device on the same veth, no bridge or TAP (MTU 1450, MSS "
                + t.mss(OverlayThroughput.Path.PLAIN_VXLAN) + "), " + runs;
        String unit = "Mbit/s";
        return List.of(
                Figure.of(NAME, "underlay_throughput", underlay, unit),
                Figure.against(NAME, "plain_vxlan_throughput", plain, underlay, unit, veth),
                Figure.against(NAME, "kernel_throughput", kernel, underlay, unit, veth),
                Figure.against(NAME, "userspace_throughput", userspace, underlay, unit, veth),
                Figure.against(NAME, "kernel_vs_plain_vxlan", kernel, plain, unit, vxlan),
                Figure.against(NAME, "userspace_vs_plain_vxlan", userspace, plain, unit, vxlan));
    }

    private static List<Figure> convergenceFigures(List<OverlayConvergence.Round> rounds, int members) {
        double[] pings = rounds.stream().mapToDouble(OverlayConvergence.Round::everyOtherMemberPings).toArray();
        double[] applied = rounds.stream().mapToDouble(OverlayConvergence.Round::everyAgentApplied).toArray();
        double[] calls = rounds.stream().mapToDouble(OverlayConvergence.Round::restCall).toArray();
        String baseline = String.format("time until all %d agents had applied the generation the REST call gave"
                + " them (read in-process), same rounds (%d joins)", members, rounds.size());
        return List.of(
                Figure.against(NAME, "convergence_p50", tenth(median(pings)), tenth(median(applied)), "ms",
                        "median " + baseline),
                Figure.against(NAME, "convergence_max", tenth(max(pings)), tenth(max(applied)), "ms",
                        "slowest " + baseline),
                Figure.of(NAME, "add_member_call_p50", tenth(median(calls)), "ms"));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static double tenth(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
