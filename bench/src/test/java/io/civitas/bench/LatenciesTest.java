package io.civitas.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesAreNearestRankInMicroseconds() {
        Latencies l = new Latencies(100);
        for (int i = 100; i >= 1; i--) {
            l.add(i * 1_000L); // 1..100 us, out of order
        }
        assertThat(l.percentileMicros(50)).isEqualTo(50.0);
        assertThat(l.percentileMicros(99)).isEqualTo(99.0);
        assertThat(l.percentileMicros(100)).isEqualTo(100.0);
        assertThat(l.meanMicros()).isCloseTo(50.5, within(1e-9));
    }

    @Test
    void aRoundsPercentileLooksOnlyAtItsOwnSamples() {
        Latencies l = new Latencies(20);
        for (int i = 0; i < 10; i++) {
            l.add(1_000_000L); // a slow first round: 1 ms
        }
        for (int i = 0; i < 10; i++) {
            l.add(10_000L); // then 10 us
        }
        assertThat(l.percentileMicros(50, 10)).isEqualTo(10.0);
        assertThat(l.percentileMicros(100)).isEqualTo(1_000.0);
    }

    @Test
    void throughputIsCallsOverTheWallTimeTheyTook() {
        Latencies l = new Latencies(10);
        for (int i = 0; i < 10; i++) {
            l.add(1_000);
        }
        l.addElapsed(5_000_000); // 10 calls in 5 ms
        assertThat(l.callsPerSecond()).isCloseTo(2_000.0, within(1e-6));
    }
}
