package io.civitas.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.civitas.bench.sim.Broadcast;
import io.civitas.bench.sim.CityAdmin;
import io.civitas.bench.sim.ProcessCluster;
import io.civitas.bench.sim.SimAgent;
import io.civitas.bench.sim.SimFleet;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.civitas.bench.sim.ProcessCluster.await;

/**
 * {@code bench/run converge}: one controller (its own JVM, on a ZooKeeper server of its own) with 10,000
 * simulated agents ({@link SimAgent}); desired-state changes for all of them, and the time from the request until
 * each agent has applied it. Two kinds, each in its own rounds: a change of the city's defaults
 * ({@code PUT /api/v1/city/defaults}: one record for every node) and a policy activation that moves every node into
 * another overlay (every node's own state, stored node by node). The first {@link #WARMUP_CHANGES} of each kind are
 * not counted (JIT); the figures pool every agent's time in the {@link #MEASURED_CHANGES} after them. The baseline, in
 * the same run: a raw Netty WebSocket server (its own JVM) sending the same bytes (the frame that brought an agent that kind's
 * last change: the city's defaults EVENT, or the apply INVOCATION of a policy's) to 10,000 WebSocket clients, timed from the request to each arrival, with the
 * same warm-up and measured rounds. Also: the controller's live heap per connected agent (after a full GC, with and
 * without the agents).
 */
final class ConvergeScenario implements Scenario {

    static final String NAME = "converge";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Changes before the measured ones (JIT: the first city-wide change compiled 2 s of code on the 2 cores). */
    private static final int WARMUP_CHANGES = 5;
    /**
     * Measured changes; each agent's time in each of them is one sample. Ten, not five: single broadcast rounds
     * moved by a third from one to the next, and five of them did not settle a ratio near 1.5.
     */
    private static final int MEASURED_CHANGES = 10;

    /** Change {@code n} of the defaults: pm25 every {@code 1000 + n} ms (the simulated agents take any sensor). */
    private static String defaults(int n) {
        return "{\"sampling\":[{\"sensor\":\"pm25\",\"periodMillis\":" + (1000 + n) + "}]}";
    }

    /** Policy change {@code n} moves every node into overlay {@code bench-<n>} (out of the previous one). */
    private static String policy(int n) {
        return """
                package bench;
                rule "every node joins bench-%d"
                when
                    $n : Node()
                then
                    insertLogical(new OverlayMembership($n.getId(), "bench-%d"));
                end
                """.formatted(n, n);
    }


    @Override
    public String description() {
        return "desired-state changes for 10,000 simulated agents (city defaults; a policy activation): p50/p99 to applied vs a raw WebSocket broadcast";
    }

    @Override
    public List<Figure> run(Options options, Consumer<String> progress) throws Exception {
        int count = Integer.parseInt(System.getenv().getOrDefault("BENCH_AGENTS", "10000"));
        Path dir = Files.createTempDirectory("civitas-bench-converge");
        progress.accept("data and logs in " + dir);
        try (ProcessCluster cluster = new ProcessCluster(dir)) {
            String zk = cluster.startZooKeeper(1, 2000);
            ProcessCluster.Controller c = cluster.startController("c1", zk, Duration.ofSeconds(15), "1g",
                    // where an activation's time goes: compile, check, evaluate, store, place, write
                    "--logging.level.io.civitas.controller.policy=DEBUG",
                    "--logging.level.io.civitas.controller.node.DesiredStates=DEBUG");
            cluster.awaitUp(c, Duration.ofSeconds(180));
            String token = Files.readString(c.dataDir().resolve("admin-token")).trim();
            CityAdmin admin = new CityAdmin(c.base(), token);
            progress.accept("controller UP; enrolling " + count + " nodes");
            long t = System.nanoTime();
            List<CityAdmin.Enrolled> nodes = admin.enroll("sim", count, 8);
            progress.accept(String.format("enrolled in %.0f s", (System.nanoTime() - t) / 1e9));
            long heapWithout = ProcessCluster.liveHeapBytes(c.process());

            double[] defaultsMs;
            double[] policyMs;
            String defaultsFrame;
            String policyFrame;
            long heapWith;
            try (SimFleet fleet = new SimFleet(2)) {
                for (CityAdmin.Enrolled n : nodes) {
                    fleet.start(n.nodeId(), n.secret(), List.of(c.wampUrl()), 0);
                }
                await("all agents joined", Duration.ofSeconds(600),
                        () -> fleet.agents().stream().allMatch(SimAgent::joined));
                // An agent counts as joined when its hello is answered; the controller stores the session (presence,
                // reported state) after that. Measure the change, not that backlog: wait until every session is stored.
                await("the controller stored every agent's session", Duration.ofSeconds(600),
                        () -> online(admin) >= count);
                Thread.sleep(2_000); // the last hellos' writes settle
                heapWith = ProcessCluster.liveHeapBytes(c.process());
                progress.accept(count + " agents joined; for each kind of change " + WARMUP_CHANGES
                        + " warm-up changes, then " + MEASURED_CHANGES + " measured ones");
                defaultsMs = measuredRounds("defaults change", n -> change(fleet, () ->
                        admin.call("PUT", "/api/v1/city/defaults", defaults(n), 200), progress), progress);
                defaultsFrame = fleet.agents().get(0).lastApplyFrame();
                policyMs = measuredRounds("policy change", n -> {
                    admin.call("POST", "/api/v1/policies", "{\"name\":\"bench\",\"files\":[{\"path\":\"bench.drl\",\"text\":"
                            + JSON.writeValueAsString(policy(n)) + "}]}", 201);
                    return change(fleet, () -> activate(admin), progress);
                }, progress);
                policyFrame = fleet.agents().get(0).lastApplyFrame();
            }
            progress.accept(String.format("controller, measured changes: defaults p50 %.0f ms, p99 %.0f ms; policy p50 %.0f ms, "
                            + "p99 %.0f ms; baseline next", percentile(defaultsMs, 50), percentile(defaultsMs, 99),
                    percentile(policyMs, 50), percentile(policyMs, 99)));
            List<double[]> rawMs = broadcast(cluster, List.of(defaultsFrame, policyFrame), count, progress);
            double perAgent = (heapWith - heapWithout) / (double) count;
            List<Figure> figures = new ArrayList<>();
            figures.addAll(toApplied("", defaultsMs, rawMs.get(0), defaultsFrame, count));
            figures.addAll(toApplied("policy_", policyMs, rawMs.get(1), policyFrame, count));
            figures.add(Figure.of(NAME, "heap_per_connected_agent", Math.round(perAgent), "bytes"));
            return figures;
        }
    }

    /** p50 and p99 of one kind of change against the broadcast of its frame. */
    private static List<Figure> toApplied(String kind, double[] ms, double[] raw, String frame, int count) {
        String baselineIs = "raw Netty WebSocket server sending the same " + frame.length() + "-byte frame an agent received to "
                + count + " clients, " + MEASURED_CHANGES + " rounds after " + WARMUP_CHANGES
                + " warm-up ones as for the controller, same run";
        return List.of(
                Figure.against(NAME, kind + "p50_to_applied", percentile(ms, 50), percentile(raw, 50), "ms", baselineIs),
                Figure.against(NAME, kind + "p99_to_applied", percentile(ms, 99), percentile(raw, 99), "ms", baselineIs));
    }

    private interface Request {
        void send() throws Exception;
    }

    /** Sends the change; each agent's time from the request to its apply (ms). */
    private static double[] change(SimFleet fleet, Request request, Consumer<String> progress) throws Exception {
        List<SimAgent> agents = fleet.agents();
        long[] before = agents.stream().mapToLong(SimAgent::appliedGeneration).toArray();
        long start = System.nanoTime();
        request.send();
        long answered = System.nanoTime();
        await("every agent applied the change", Duration.ofSeconds(600), () -> {
            for (int i = 0; i < before.length; i++) {
                if (agents.get(i).appliedGeneration() <= before[i]) {
                    return false;
                }
            }
            return true;
        });
        progress.accept(String.format("  (its request was answered %.1f ms after it was sent)", (answered - start) / 1e6));
        // The answers (0.5-1.5 s after the message), their writes (batched once they pause, then echoed by the mirror)
        // settle before the next change: each change is measured on its own, not on the tail of the one before.
        Thread.sleep(4_000);
        // A node whose state rose twice in one change counts at its second rise (appliedAtNanos is the last).
        return agents.stream().mapToDouble(a -> (a.appliedAtNanos() - start) / 1e6).toArray();
    }

    private static void activate(CityAdmin admin) throws Exception {
        try {
            admin.call("POST", "/api/v1/policies/bench/activate", null, 200);
        } catch (java.io.IOException stillStoring) {
            // 503 "the activation is recorded, but applying it is still under way": the agents tell
            if (!stillStoring.getMessage().contains(": 503 ")) {
                throw stillStoring;
            }
        }
    }

    /** One round's times (ms) for each agent or client. */
    private interface Round {
        double[] run(int n) throws Exception;
    }

    /** {@link #WARMUP_CHANGES} rounds, then {@link #MEASURED_CHANGES} whose times are pooled and sorted. */
    private static double[] measuredRounds(String what, Round round, Consumer<String> progress) throws Exception {
        List<double[]> measured = new ArrayList<>();
        for (int n = 1; n <= WARMUP_CHANGES + MEASURED_CHANGES; n++) {
            double[] ms = round.run(n);
            Arrays.sort(ms);
            progress.accept(String.format("%s %d%s: first %.1f ms, p10 %.1f ms, p50 %.1f ms, p99 %.1f ms", what, n,
                    n <= WARMUP_CHANGES ? " (warm-up)" : "", ms[0], percentile(ms, 10), percentile(ms, 50),
                    percentile(ms, 99)));
            if (n > WARMUP_CHANGES) {
                measured.add(ms);
            }
        }
        return measured.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
    }

    /** For each frame, the same rounds of a raw broadcast of it; each agent's times (ms), per frame. */
    private static List<double[]> broadcast(ProcessCluster cluster, List<String> frames, int count,
                                            Consumer<String> progress) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        cluster.startJava("broadcast", "io.civitas.bench.sim.Broadcast", List.of(Integer.toString(port)), "1g");
        URI url = URI.create("ws://127.0.0.1:" + port + "/ws");
        try (Broadcast.Clients clients = new Broadcast.Clients(count + 1)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) { // the server's JVM is starting
                try {
                    clients.connect(0, url).get(5, TimeUnit.SECONDS);
                    break;
                } catch (Exception notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broadcast server did not start; see its log next to the controller's");
                    }
                    Thread.sleep(300);
                }
            }
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                ready.add(clients.connect(i, url));
                if (i % 500 == 0) { // do not flood the accept queue
                    CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                }
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            Thread.sleep(1_000);
            List<double[]> all = new ArrayList<>();
            for (String frame : frames) {
                // The same warm-up and measured rounds as the controller's changes.
                all.add(measuredRounds("raw broadcast of " + frame.length() + " bytes", n -> {
                    clients.reset();
                    long start = System.nanoTime();
                    clients.go(frame);
                    await("every broadcast client received", Duration.ofSeconds(120), () -> {
                        for (int i = 1; i <= count; i++) {
                            if (clients.arrivedAt(i) == 0) {
                                return false;
                            }
                        }
                        return true;
                    });
                    double[] ms = new double[count];
                    for (int i = 1; i <= count; i++) {
                        ms[i - 1] = (clients.arrivedAt(i) - start) / 1e6;
                    }
                    Thread.sleep(1_000);
                    return ms;
                }, progress));
            }
            return all;
        }
    }

    private static long online(CityAdmin admin) {
        try {
            return admin.call("GET", "/api/v1/cluster", null, 200).path("health").path("nodesOnline").asLong();
        } catch (Exception e) {
            throw new IllegalStateException("GET /api/v1/cluster failed", e);
        }
    }

    /** Nearest rank, over sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
