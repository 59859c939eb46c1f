package io.civitas.bench;

import java.util.Arrays;

/** Round-trip times of one side of a measurement, in nanoseconds, plus the wall time they took. */
final class Latencies {
    private final long[] nanos;
    private int count;
    private long elapsedNanos;

    Latencies(int capacity) {
        this.nanos = new long[capacity];
    }

    void add(long roundTripNanos) {
        nanos[count++] = roundTripNanos;
    }

    /** Wall time spent in the measured calls, for throughput (sequential calls: one at a time). */
    void addElapsed(long wallNanos) {
        elapsedNanos += wallNanos;
    }

    int count() {
        return count;
    }

    /** Nearest-rank percentile in microseconds, {@code p} in (0, 100]. */
    double percentileMicros(double p) {
        return percentileMicros(p, 0);
    }

    /** The same over the samples added since the {@code from}-th (a round's share). */
    double percentileMicros(double p, int from) {
        int n = count - from;
        if (n <= 0) {
            throw new IllegalStateException("no samples");
        }
        long[] sorted = Arrays.copyOfRange(nanos, from, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * n);
        return sorted[Math.max(0, Math.min(n, rank) - 1)] / 1_000.0;
    }

    double meanMicros() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += nanos[i];
        }
        return count == 0 ? 0 : sum / (double) count / 1_000.0;
    }

    double callsPerSecond() {
        return elapsedNanos == 0 ? 0 : count * 1e9 / elapsedNanos;
    }
}
