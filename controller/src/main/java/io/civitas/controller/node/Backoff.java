package io.civitas.controller.node;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with full jitter, per key: after the n-th failure in a row the delay is
 * uniform in [0, min(cap, base * 2^(n-1))]. Jitter keeps a fleet of nodes that failed together from
 * retrying together. {@link #reset} after a success.
 */
final class Backoff {

    private final long baseMillis;
    private final long capMillis;
    private final RandomGenerator random;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.baseMillis = Math.max(1, base.toMillis());
        this.capMillis = Math.max(baseMillis, cap.toMillis());
        this.random = random;
    }

    /** Counts a failure of {@code key} and returns how long to wait before the next try. */
    Duration next(String key) {
        int n = failures.merge(key, 1, Integer::sum);
        return Duration.ofMillis(random.nextLong(ceilingMillis(n) + 1));
    }

    /** The largest delay after {@code failures} failures in a row. */
    long ceilingMillis(int failures) {
        int doublings = Math.min(failures - 1, 62);
        long ceiling = baseMillis << doublings;
        return ceiling <= 0 || ceiling > capMillis || (ceiling >> doublings) != baseMillis ? capMillis : ceiling;
    }

    int failures(String key) {
        return failures.getOrDefault(key, 0);
    }

    void reset(String key) {
        failures.remove(key);
    }
}
