package io.civitas.bench;

import java.util.List;
import java.util.function.Consumer;

/** A benchmark scenario: runs, reports progress lines, returns its figures. */
interface Scenario {

    /** What it measures, one line, for the usage text. */
    String description();

    List<Figure> run(Options options, Consumer<String> progress) throws Exception;

    /** Knobs every scenario takes; defaults are the ones the README's figures are measured with. */
    record Options(int warmup, int calls, int rounds, int payloadBytes) {
        static final Options DEFAULTS = new Options(2_000, 10_000, 10, 100);
    }
}
