package io.civitas.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    /** A Random that always draws the top of the range, so each wait equals its ceiling. */
    private static final class Highest extends Random {
        @Override
        public double nextDouble() {
            return 1.0;
        }
    }

    @Test
    void waitsDoubleFromTheInitialUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Highest());

        long[] waits = new long[10];
        for (int i = 0; i < waits.length; i++) {
            waits[i] = backoff.next().toMillis();
        }

        assertThat(waits).containsExactly(500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000);
    }

    @Test
    void staysCappedAfterManyAttempts() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Highest());
        for (int i = 0; i < 10_000; i++) {
            backoff.next();
        }
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void fullJitterDrawsAnywhereBetweenZeroAndTheCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(42));
        for (int i = 0; i < 8; i++) {
            backoff.next(); // reach the cap
        }
        Set<Long> seen = new HashSet<>();
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 1000; i++) {
            long wait = backoff.next().toMillis();
            assertThat(wait).isBetween(0L, 30_000L);
            seen.add(wait);
            min = Math.min(min, wait);
        }
        assertThat(seen).hasSizeGreaterThan(500);
        assertThat(min).isLessThan(3_000); // the low end is used too: that is what spreads agents out
    }

    @Test
    void resetStartsOverFromTheInitialCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Highest());
        for (int i = 0; i < 5; i++) {
            backoff.next();
        }
        backoff.reset();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(500));
    }
}
