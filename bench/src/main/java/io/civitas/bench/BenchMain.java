package io.civitas.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run SCENARIO [--calls N] [--warmup N] [--rounds N] [--payload BYTES] [--seconds N] [--members N]}.
 *
 * <p>Progress and every log line go to stderr; stdout carries only the figures, one JSON object a line,
 * at the end of the run (DESIGN.md, Conventions).
 */
public final class BenchMain {

    private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put(OpenFlowScenario.NAME, new OpenFlowScenario());
        SCENARIOS.put(RpcScenario.NAME, new RpcScenario());
        SCENARIOS.put(WsEchoScenario.NAME, new WsEchoScenario());
        SCENARIOS.put(PolicyScenario.NAME, new PolicyScenario());
        SCENARIOS.put(UiScenario.NAME, new UiScenario());
        SCENARIOS.put(OverlayScenario.NAME, new OverlayScenario());

        SCENARIOS.put(FailoverScenario.NAME, new FailoverScenario());
        SCENARIOS.put(ConvergeScenario.NAME, new ConvergeScenario());
    }

    private BenchMain() {}

    public static void main(String[] args) {
        PrintStream figures = System.out;
        // Whatever else writes to System.out (Spring's banner, a console log appender) lands on stderr.
        System.setOut(System.err);
        int status = run(args, figures, System.err);
        System.exit(status);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            err.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        Scenario scenario = SCENARIOS.get(args[0]);
        if (scenario == null) {
            err.println("bench: unknown scenario '" + args[0] + "'");
            err.print(usage());
            return 2;
        }
        Scenario.Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            err.print(usage());
            return 2;
        }
        long start = System.nanoTime();
        try {
            List<Figure> result = scenario.run(options, line -> err.println("[bench " + args[0] + "] " + line));
            err.printf("[bench %s] done in %.1f s%n", args[0], (System.nanoTime() - start) / 1e9);
            err.flush();
            for (Figure f : result) {
                out.println(f.toJson());
            }
            out.flush();
            return 0;
        } catch (Scenario.Unmet e) {
            err.println("bench: scenario " + args[0] + " cannot run here: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("bench: scenario " + args[0] + " failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    static Scenario.Options parse(String[] args) {
        Scenario.Options d = Scenario.Options.DEFAULTS;
        int warmup = d.warmup(), calls = d.calls(), rounds = d.rounds(), payload = d.payloadBytes();
        int seconds = d.seconds(), members = d.members();
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            int value = positive(flag, args[++i]);
            switch (flag) {
                case "--warmup" -> warmup = value;
                case "--calls" -> calls = value;
                case "--rounds" -> rounds = value;
                case "--payload" -> payload = value;
                case "--seconds" -> seconds = value;
                case "--members" -> members = value;
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (rounds > calls) {
            throw new IllegalArgumentException("--rounds (" + rounds + ") must not exceed --calls (" + calls + ")");
        }
        if (members < 2) {
            throw new IllegalArgumentException("--members must be at least 2 (one joins, the others ping it), got " + members);
        }
        return new Scenario.Options(warmup, calls, rounds, payload, seconds, members);
    }

    private static int positive(String flag, String text) {
        try {
            int v = Integer.parseInt(text.replace("_", ""));
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a positive whole number, got '" + text + "'");
        }
    }

    static String usage() {
        StringBuilder s = new StringBuilder("usage: bench/run SCENARIO [--calls N] [--warmup N] [--rounds N] [--payload BYTES]"
                + " [--seconds N] [--members N]\n");
        Scenario.Options d = Scenario.Options.DEFAULTS;
        s.append(String.format("  defaults: --calls %d --warmup %d --rounds %d --payload %d --seconds %d --members %d%n",
                d.calls(), d.warmup(), d.rounds(), d.payloadBytes(), d.seconds(), d.members()));
        s.append("  (--seconds and --members are the overlay scenario's: iperf3 seconds per run, nodes in the city)\n");
        s.append("scenarios:\n");
        SCENARIOS.forEach((name, sc) -> s.append(String.format("  %-8s %s%n", name, sc.description())));
        return s.toString();
    }
}
