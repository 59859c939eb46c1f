package io.civitas.bench;

import java.util.List;
import java.util.function.Consumer;

/** A benchmark scenario: runs, reports progress lines, returns its figures. */
interface Scenario {

    /** What it measures, one line, for the usage text. */
    String description();

    List<Figure> run(Options options, Consumer<String> progress) throws Exception;

    /**
     * Knobs every scenario takes. The defaults: the rpc path is still getting faster after 2,000 calls
     * (JIT), hence 10,000 warm-up calls; 50 rounds of 200 calls spread the spells of a shared 2-core
     * machine over both sides of a comparison. {@code seconds} and {@code members} are the overlay scenario's:
     * seconds per iperf3 run, nodes in the convergence city.
     */
    record Options(int warmup, int calls, int rounds, int payloadBytes, int seconds, int members) {
        static final Options DEFAULTS = new Options(10_000, 10_000, 50, 100, 5, 4);
    }

    /** The machine lacks what the scenario needs (root, a tool): reported as one line, without a stack trace. */
    final class Unmet extends Exception {
        Unmet(String message) {
            super(message);
        }
    }
}
