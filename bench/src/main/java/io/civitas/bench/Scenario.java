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
     * machine over both sides of a comparison.
     */
    record Options(int warmup, int calls, int rounds, int payloadBytes) {
        static final Options DEFAULTS = new Options(10_000, 10_000, 50, 100);
    }
}
