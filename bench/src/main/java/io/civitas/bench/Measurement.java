package io.civitas.bench;

import java.util.function.Consumer;

/**
 * Measures two {@link RoundTrip}s in one run, fairly: both warm up the same way, and the measured calls
 * alternate between them in rounds (A then B, then B then A, ...), so a slow spell of a noisy machine
 * falls on both sides rather than on one.
 */
final class Measurement {
    private final int warmup;
    private final int calls;
    private final int rounds;
    private final String payload;
    private final Consumer<String> progress;

    Measurement(int warmup, int calls, int rounds, String payload, Consumer<String> progress) {
        if (calls < rounds || rounds < 1) {
            throw new IllegalArgumentException("need calls >= rounds >= 1, got calls=" + calls + " rounds=" + rounds);
        }
        this.warmup = warmup;
        this.calls = calls;
        this.rounds = rounds;
        this.payload = payload;
        this.progress = progress;
    }

    /** Returns {measured, baseline}. */
    Latencies[] compare(String name, RoundTrip measured, String baselineName, RoundTrip baseline) throws Exception {
        progress.accept("warm-up: " + warmup + " calls each of " + name + " and " + baselineName);
        for (int i = 0; i < warmup; i++) {
            check(measured, name);
            check(baseline, baselineName);
        }
        Latencies a = new Latencies(calls);
        Latencies b = new Latencies(calls);
        int perRound = calls / rounds;
        for (int r = 0; r < rounds; r++) {
            int n = r == rounds - 1 ? calls - perRound * (rounds - 1) : perRound;
            int fromA = a.count();
            int fromB = b.count();
            if (r % 2 == 0) {
                run(measured, name, n, a);
                run(baseline, baselineName, n, b);
            } else {
                run(baseline, baselineName, n, b);
                run(measured, name, n, a);
            }
            if ((r + 1) % Math.max(1, rounds / 10) != 0 && r != rounds - 1) {
                continue;
            }
            progress.accept(String.format(java.util.Locale.ROOT,
                    "round %d/%d (%d calls each): %s p50 %.1f us, %s p50 %.1f us", r + 1, rounds, n,
                    name, a.percentileMicros(50, fromA), baselineName, b.percentileMicros(50, fromB)));
        }
        return new Latencies[] {a, b};
    }

    /** One side alone (no baseline), for a scenario that measures just that. */
    Latencies single(String name, RoundTrip measured) throws Exception {
        progress.accept("warm-up: " + warmup + " calls of " + name);
        for (int i = 0; i < warmup; i++) {
            check(measured, name);
        }
        Latencies a = new Latencies(calls);
        for (int r = 0; r < rounds; r++) {
            int n = r == rounds - 1 ? calls - (calls / rounds) * (rounds - 1) : calls / rounds;
            run(measured, name, n, a);
        }
        return a;
    }

    private void run(RoundTrip rt, String name, int n, Latencies into) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            String echoed = rt.call(payload);
            into.add(System.nanoTime() - t0);
            if (!payload.equals(echoed)) {
                throw new IllegalStateException(name + " returned something else than the payload: " + abbreviate(echoed));
            }
        }
        into.addElapsed(System.nanoTime() - start);
    }

    private void check(RoundTrip rt, String name) throws Exception {
        String echoed = rt.call(payload);
        if (!payload.equals(echoed)) {
            throw new IllegalStateException(name + " returned something else than the payload: " + abbreviate(echoed));
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** A printable ASCII payload of exactly {@code bytes} bytes. */
    static String payload(int bytes) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder s = new StringBuilder(bytes);
        for (int i = 0; i < bytes; i++) {
            s.append(alphabet.charAt((i * 7 + 3) % alphabet.length()));
        }
        return s.toString();
    }
}
