package io.civitas.bench;

import io.civitas.controller.southbound.FlowReconciler;
import io.civitas.controller.southbound.OpenFlowProperties;
import io.civitas.controller.southbound.OpenFlowSwitch;
import io.civitas.controller.southbound.Role;
import io.civitas.controller.southbound.Southbound;
import io.civitas.controller.southbound.SwitchListener;
import io.civitas.controller.southbound.SwitchMastership;
import io.civitas.overlay.openflow.FlowCookies;
import io.civitas.overlay.openflow.FlowProgram;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * OpenFlow into a real Open vSwitch (userspace datapath, started if not running):
 * <ol>
 * <li>100,000 flows installed through the controller (desired program -> reconciler: read the switch's flows,
 *     send the difference in one ONF bundle, commit) against {@code ovs-ofctl -O OpenFlow13 --bundle add-flows}
 *     of the same flows from a file, and against plain {@code add-flows}; flows per second, alternating rounds,
 *     the median of each; every round checks the switch holds exactly 100,000 flows.</li>
 * <li>PACKET_IN -> FLOW_MOD: a table-miss flow sends packets to the controller; the controller injects a packet
 *     (PACKET_OUT to TABLE), and on its PACKET_IN installs a flow for its source MAC and asks for a barrier.
 *     Measured from the PACKET_IN's arrival to the barrier reply (the flow is in the switch).</li>
 * </ol>
 */
final class OpenFlowScenario implements Scenario {
    static final String NAME = "openflow";
    static final int FLOWS = 100_000;
    static final int ROUNDS = 3;
    static final int PACKET_INS = 2_000;
    static final int PACKET_IN_WARMUP = 300;
    private static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);

    @Override
    public String description() {
        return "OpenFlow into OVS: 100,000 flows via the controller vs ovs-ofctl add-flows; PACKET_IN->FLOW_MOD";
    }

    @Override
    public List<Figure> run(Options options, Consumer<String> progress) throws Exception {
        ensureOvs(progress);
        long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        String bridge = "cvof-bn" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x1000, 0xffff));
        Path file = Files.createTempFile("cvof-flows", ".txt");
        Southbound southbound = new Southbound(new OpenFlowProperties(true, 0, "127.0.0.1", Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(120), new OpenFlowProperties.Tls(null, null)),
                SwitchMastership.standalone()).start();
        try {
            sh("ovs-vsctl", "--", "add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev",
                    "protocols=OpenFlow13", "fail_mode=secure", "other-config:datapath-id=" + String.format("%016x", dpid));
            List<OFFlowAdd> flows = flows();
            Files.writeString(file, ofctlText(flows));
            List<Double> bundled = new ArrayList<>();
            List<Double> controller = new ArrayList<>();
            sh("ovs-vsctl", "set-controller", bridge, "tcp:127.0.0.1:" + southbound.port());
            DatapathId id = DatapathId.of(dpid);
            OpenFlowSwitch sw = awaitMaster(southbound, id);
            awaitReport(southbound, id, null);
            for (int round = 0; round < ROUNDS; round++) {
                clear(bridge);
                bundled.add(rate(() -> sh("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "add-flows", bridge,
                        file.toString())));
                check(bridge);
                clear(bridge);
                controller.add(rate(() -> {
                    FlowReconciler.Report before = southbound.reconciler().lastReport(id).orElse(null);
                    southbound.desiredFlows().put(id, new FlowProgram(flows, List.of()));
                    FlowReconciler.Report r = awaitReport(southbound, id, before);
                    if (r.error() != null || r.flowsAdded() != FLOWS) {
                        throw new IllegalStateException("controller install failed: " + r);
                    }
                }));
                check(bridge);
                progress.accept(String.format("round %d: ovs-ofctl --bundle %.0f flows/s, controller %.0f flows/s",
                        round + 1, bundled.get(round), controller.get(round)));
            }
            clear(bridge);
            double plain = rate(() -> sh("ovs-ofctl", "-O", "OpenFlow13", "add-flows", bridge, file.toString()));
            check(bridge);
            progress.accept(String.format("ovs-ofctl add-flows without --bundle: %.0f flows/s", plain));

            southbound.desiredFlows().put(id, FlowProgram.EMPTY);
            long[] latencies = packetInToFlowMod(southbound, sw, bridge, progress);
            double c = median(controller);
            return List.of(
                    Figure.against(NAME, "flow_install_rate", c, median(bundled), "flows/s",
                            "ovs-ofctl -O OpenFlow13 --bundle add-flows of the same 100,000 flows from a file, same run"),
                    Figure.against(NAME, "flow_install_rate_vs_unbundled", c, plain, "flows/s",
                            "ovs-ofctl -O OpenFlow13 add-flows (no --bundle) of the same flows, same run"),
                    Figure.of(NAME, "packet_in_to_flow_mod_p50", latencies[latencies.length / 2] / 1000.0, "us"),
                    Figure.of(NAME, "packet_in_to_flow_mod_p99",
                            latencies[(int) (latencies.length * 0.99)] / 1000.0, "us"));
        } finally {
            southbound.close();
            run("ovs-vsctl", "--if-exists", "del-br", bridge);
            Files.deleteIfExists(file);
        }
    }

    private static long[] packetInToFlowMod(Southbound southbound, OpenFlowSwitch sw, String bridge,
                                            Consumer<String> progress) throws Exception {
        sh("ovs-ofctl", "-O", "OpenFlow13", "add-flow", bridge, "priority=0,actions=CONTROLLER:65535");
        AtomicReference<CompletableFuture<Long>> next = new AtomicReference<>();
        southbound.switches().addListener(new SwitchListener() {
            @Override
            public void packetIn(OpenFlowSwitch s, OFPacketIn packetIn) {
                long arrived = System.nanoTime();
                byte[] frame = packetIn.getData();
                MacAddress src = MacAddress.of(Arrays.copyOfRange(frame, 6, 12));
                s.send(OF.buildFlowAdd().setPriority(10).setMatch(OF.buildMatch()
                        .setExact(MatchField.ETH_SRC, src).build()).setInstructions(List.of(
                        OF.instructions().applyActions(List.of(OF.actions().output(OFPort.LOCAL, 0xffff)))))
                        .setBufferId(OFBufferId.NO_BUFFER).build());
                s.barrier().thenRun(() -> {
                    CompletableFuture<Long> f = next.get();
                    if (f != null) {
                        f.complete(System.nanoTime() - arrived);
                    }
                });
            }
        });
        long[] samples = new long[PACKET_INS];
        for (int i = 0; i < PACKET_IN_WARMUP + PACKET_INS; i++) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            next.set(f);
            byte[] frame = new byte[60];
            long mac = 0x020000000000L | i;
            for (int b = 0; b < 6; b++) {
                frame[6 + b] = (byte) (mac >> (8 * (5 - b)));
                frame[b] = (byte) 0xff;
            }
            frame[12] = 0x08;
            frame[13] = 0x00;
            sw.send(OF.buildPacketOut().setBufferId(OFBufferId.NO_BUFFER).setInPort(OFPort.CONTROLLER)
                    .setActions(List.of(OF.actions().output(OFPort.TABLE, 0xffff))).setData(frame).build());
            long ns = f.get(10, TimeUnit.SECONDS);
            if (i >= PACKET_IN_WARMUP) {
                samples[i - PACKET_IN_WARMUP] = ns;
            }
        }
        Arrays.sort(samples);
        progress.accept(String.format("PACKET_IN -> FLOW_MOD (barrier-confirmed): p50 %.0f us, p99 %.0f us",
                samples[PACKET_INS / 2] / 1000.0, samples[(int) (PACKET_INS * 0.99)] / 1000.0));
        return samples;
    }

    static List<OFFlowAdd> flows() {
        List<OFFlowAdd> flows = new ArrayList<>(FLOWS);
        for (int i = 0; i < FLOWS; i++) {
            flows.add(FlowCookies.stamp(OF.buildFlowAdd().setTableId(TableId.of(0)).setPriority(100)
                    .setMatch(OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1))
                            .setExact(MatchField.ETH_TYPE, EthType.IPv4)
                            .setExact(MatchField.IPV4_DST, IPv4Address.of(0x0a000000 | i)).build())
                    .setInstructions(List.of(OF.instructions().applyActions(List.of(
                            OF.actions().output(OFPort.of(2), 0xffff)))))
                    .build()));
        }
        return flows;
    }

    private static String ofctlText(List<OFFlowAdd> flows) {
        StringBuilder s = new StringBuilder(flows.size() * 80);
        for (OFFlowAdd f : flows) {
            s.append("table=0,priority=100,cookie=0x").append(Long.toHexString(f.getCookie().getValue()))
                    .append(",ip,in_port=1,nw_dst=").append(f.getMatch().get(MatchField.IPV4_DST))
                    .append(",actions=output:2\n");
        }
        return s.toString();
    }

    private interface Step {
        void run() throws Exception;
    }

    private static double rate(Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return FLOWS / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static OpenFlowSwitch awaitMaster(Southbound southbound, DatapathId id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            var sw = southbound.switches().get(id);
            if (sw.isPresent() && sw.get().role() == Role.MASTER) {
                return sw.get();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("OVS bridge did not connect to the controller as MASTER within 30 s");
    }

    private static FlowReconciler.Report awaitReport(Southbound southbound, DatapathId id,
                                                     FlowReconciler.Report previous) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            FlowReconciler.Report r = southbound.reconciler().lastReport(id).orElse(null);
            if (r != null && r != previous) {
                return r;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("no reconciliation of " + id + " within 120 s");
    }

    private static void clear(String bridge) throws IOException {
        sh("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "del-flows", bridge);
    }

    private static void check(String bridge) throws IOException {
        String aggregate = sh("ovs-ofctl", "-O", "OpenFlow13", "dump-aggregate", bridge);
        if (!aggregate.contains("flow_count=" + FLOWS)) {
            throw new IllegalStateException("expected " + FLOWS + " flows in " + bridge + ": " + aggregate.strip());
        }
    }

    private static void ensureOvs(Consumer<String> progress) throws IOException {
        if (run("ovs-vsctl", "--timeout=2", "show") == 0) {
            return;
        }
        progress.accept("starting Open vSwitch (ovs-ctl --system-id=random start)");
        if (run("/usr/share/openvswitch/scripts/ovs-ctl", "--system-id=random", "start") != 0
                || run("ovs-vsctl", "--timeout=5", "show") != 0) {
            throw new IllegalStateException("Open vSwitch is not running and could not be started "
                    + "(Debian: apt-get install openvswitch-switch; needs root)");
        }
    }

    private static int run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String sh(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("command failed: " + String.join(" ", command) + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
        return out;
    }
}
