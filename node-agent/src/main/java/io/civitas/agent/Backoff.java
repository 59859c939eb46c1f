package io.civitas.agent;

import java.time.Duration;
import java.util.Random;

/**
 * Capped exponential backoff with full jitter: the n-th wait is uniform in [0, min(cap, initial * 2^n)].
 * Full jitter spreads a city's agents out after a controller restart instead of having them all
 * knock at the same instants. Not thread-safe: one connection loop owns it.
 */
final class Backoff {
    private final long initialMillis;
    private final long capMillis;
    private final Random random;
    private int attempt;

    Backoff(Duration initial, Duration cap, Random random) {
        if (initial.toMillis() <= 0 || cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= cap, got " + initial + " and " + cap);
        }
        this.initialMillis = initial.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    /** The upper bound of the next wait. */
    long ceilingMillis() {
        // Shift only while it cannot overflow; past the cap the exponent no longer matters.
        long ceiling = initialMillis;
        for (int i = 0; i < attempt && ceiling < capMillis; i++) {
            ceiling *= 2;
        }
        return Math.min(ceiling, capMillis);
    }

    /** The next wait; each call raises the ceiling until the cap. */
    Duration next() {
        long ceiling = ceilingMillis();
        attempt++;
        return Duration.ofMillis(Math.round(random.nextDouble() * ceiling));
    }

    /** Start over from the initial ceiling, e.g. after a session that lasted a while. */
    void reset() {
        attempt = 0;
    }
}
