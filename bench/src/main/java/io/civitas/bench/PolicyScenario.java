package io.civitas.bench;

import io.civitas.policy.Evaluation;
import io.civitas.policy.NodeDecisions;
import io.civitas.policy.Policies;
import io.civitas.policy.PolicyFile;
import io.civitas.policy.PolicySet;
import io.civitas.policy.facts.Node;
import io.civitas.policy.facts.SensorReading;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Policy evaluation at city scale: 100,000 nodes, 200 generated rules (20 districts x 10 sensors) plus the
 * demo policies. Measured: the full evaluation (a fresh session, insert every node and reading, first
 * evaluate; median of 5 after 2 warm-ups), then 1,000 single-node re-evaluations after 1,000 warm-up ones (one
 * board's PM2.5 reading crosses the alarm threshold, evaluate), each checked to return exactly that node. The
 * bench options do not apply: the sizes are fixed so that runs compare.
 */
final class PolicyScenario implements Scenario {
    static final String NAME = "policy";
    static final int NODES = 100_000;
    static final int DISTRICTS = 20;
    static final int SENSORS = 10;
    static final int FULL_WARMUPS = 2;
    static final int FULL_RUNS = 5;
    static final int WARMUP_UPDATES = 1_000;
    static final int UPDATES = 1_000;

    @Override
    public String description() {
        return "policy evaluation: 100,000 nodes x 200+ rules, full vs one node changed";
    }

    @Override
    public List<Figure> run(Options options, Consumer<String> progress) throws Exception {
        List<PolicyFile> files = new ArrayList<>(generatedRules());
        Path demo = demoPolicies();
        try (var folders = Files.list(demo)) {
            for (Path folder : folders.filter(Files::isDirectory).filter(p -> !p.endsWith("tests")).sorted().toList()) {
                for (PolicyFile f : Policies.load(folder)) {
                    files.add(new PolicyFile(folder.getFileName() + "/" + f.path(), f.text()));
                }
            }
        }
        long t0 = System.nanoTime();
        PolicySet policies = Policies.compile("bench", files);
        progress.accept(String.format("compiled %d files (%d generated rules + demo policies from %s) in %.0f ms",
                files.size(), DISTRICTS * SENSORS, demo, ms(System.nanoTime() - t0)));
        List<Node> city = city(new Random(42));
        progress.accept("city: " + city.size() + " nodes");

        double[] full = new double[FULL_WARMUPS + FULL_RUNS];
        Evaluation evaluation = null;
        for (int run = 0; run < full.length; run++) { // the first runs warm the JIT up and are not counted
            if (evaluation != null) {
                evaluation.close();
                evaluation = null; // so that the collection below frees the previous city
            }
            System.gc();
            long start = System.nanoTime();
            evaluation = policies.newEvaluation();
            for (Node n : city) {
                evaluation.upsert(n);
                if (n.hasSensor("pm25")) {
                    evaluation.reading(new SensorReading(n.getId(), "pm25", 12.0, "ug/m3", 0));
                }
            }
            long inserted = System.nanoTime();
            Map<String, NodeDecisions> all = evaluation.evaluate();
            full[run] = ms(System.nanoTime() - start);
            if (all.size() != city.size()) {
                throw new IllegalStateException("the full evaluation returned " + all.size() + " nodes, not " + city.size());
            }
            progress.accept(String.format("full evaluation %s: %.0f ms (inserts %.0f ms, first evaluate %.0f ms)",
                    run < FULL_WARMUPS ? "(warm-up)" : (run - FULL_WARMUPS + 1) + "/" + FULL_RUNS, full[run], ms(inserted - start), ms(System.nanoTime() - inserted)));
        }
        double fullMs = median(Arrays.copyOfRange(full, FULL_WARMUPS, full.length));

        List<String> pm25Boards = city.stream().filter(n -> n.hasSensor("pm25")).map(Node::getId).toList();
        Random random = new Random(7);
        Map<String, Double> level = new HashMap<>();
        progress.accept("warm-up: " + WARMUP_UPDATES + " single-node updates");
        singleNodeUpdates(evaluation, pm25Boards, random, level, WARMUP_UPDATES);
        double[] incremental = singleNodeUpdates(evaluation, pm25Boards, random, level, UPDATES);
        evaluation.close();
        double incrementalMs = median(incremental);
        progress.accept(String.format("incremental: median %.4f ms, p99 %.4f ms over %d updates",
                incrementalMs, percentile(incremental, 99), UPDATES));
        // Figure's ratio is value / baseline, printed with 3 decimals: incremental / full would print 0.000.
        // So the speed-up is its own figure, whose value is the full evaluation and whose baseline is the
        // incremental one: ratio = full / incremental. Both in microseconds (Figure prints one decimal).
        return List.of(
                Figure.of(NAME, "full_evaluation", Math.round(fullMs), "ms"),
                Figure.of(NAME, "incremental_evaluation", incrementalMs * 1000, "us"),
                Figure.against(NAME, "full_over_incremental", Math.round(fullMs * 1000), incrementalMs * 1000, "us",
                        "median one-node re-evaluation of the same city, same run"));
    }

    /** Each update flips one board's PM2.5 across the alarm threshold, so its decisions change every time. */
    private static double[] singleNodeUpdates(Evaluation evaluation, List<String> boards, Random random,
                                              Map<String, Double> level, int count) throws Exception {
        double[] times = new double[count];
        for (int i = 0; i < count; i++) {
            String id = boards.get(random.nextInt(boards.size()));
            double value = level.getOrDefault(id, 12.0) > 50 ? 12.0 : 80.0;
            level.put(id, value);
            long start = System.nanoTime();
            evaluation.reading(new SensorReading(id, "pm25", value, "ug/m3", i));
            Map<String, NodeDecisions> changed = evaluation.evaluate();
            times[i] = ms(System.nanoTime() - start);
            if (changed.size() != 1 || !changed.containsKey(id)) {
                throw new IllegalStateException("updating " + id + " changed " + changed.keySet());
            }
        }
        return times;
    }

    /** 200 rules of the shape a planner writes per district and sensor: join a district's sensor network. */
    static List<PolicyFile> generatedRules() {
        StringBuilder drl = new StringBuilder("package civitas.generated;\n");
        for (int d = 0; d < DISTRICTS; d++) {
            for (int s = 0; s < SENSORS; s++) {
                String district = district(d);
                String sensor = sensor(s);
                drl.append("rule \"").append(district).append(' ').append(sensor).append("\"\nwhen\n")
                        .append("  $n : Node( district == \"").append(district).append("\", sensors contains \"")
                        .append(sensor).append("\" )\nthen\n")
                        .append("  insertLogical(new OverlayMembership($n.getId(), \"").append(district).append('-')
                        .append(sensor).append("\"));\nend\n");
            }
        }
        return List.of(new PolicyFile("generated/districts-by-sensor.drl", drl.toString()));
    }

    /** 80% boards with two generated sensors (a third of them with PM2.5, some parking), 20% VMs. */
    static List<Node> city(Random random) {
        List<Node> nodes = new ArrayList<>(NODES);
        for (int i = 0; i < NODES; i++) {
            String district = district(random.nextInt(DISTRICTS));
            boolean board = random.nextInt(10) < 8;
            Set<String> sensors = new HashSet<>();
            Set<String> services = new HashSet<>();
            if (board) {
                sensors.add(sensor(random.nextInt(SENSORS)));
                sensors.add(sensor(random.nextInt(SENSORS)));
                if (random.nextInt(3) == 0) {
                    sensors.add("pm25");
                }
                if (random.nextInt(10) == 0) {
                    sensors.add("parking");
                }
            } else if (random.nextInt(4) == 0) {
                services.add("video-analytics");
            }
            boolean tampered = random.nextInt(1000) == 0;
            nodes.add(new Node("n" + i, "n" + i, board ? "BOARD" : "VM", district, Map.of("district", district),
                    0, 0, "ONLINE", sensors, services, "0.1.0", 1, tampered));
        }
        return nodes;
    }

    private static String district(int d) {
        return String.format("d%02d", d);
    }

    private static String sensor(int s) {
        return String.format("s%02d", s);
    }

    /** policies/ of the repository: in or beside the working directory, or up from the bench jar's folder. */
    static Path demoPolicies() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("policies"), Path.of("../policies")));
        String jar = System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)[0];
        for (Path up = Path.of(jar).toAbsolutePath().getParent(); up != null; up = up.getParent()) {
            candidates.add(up.resolve("policies"));
        }
        for (Path p : candidates) {
            if (Files.isDirectory(p.resolve("tests"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("the demo policies folder is missing; looked in " + candidates);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double median(double[] values) {
        return percentile(values, 50);
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
