package io.civitas.controller.node;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), new Random(7));

    @Test
    void ceilingDoublesFromTheBaseUpToTheCap() {
        assertThat(backoff.ceilingMillis(1)).isEqualTo(200);
        assertThat(backoff.ceilingMillis(2)).isEqualTo(400);
        assertThat(backoff.ceilingMillis(8)).isEqualTo(25_600);
        assertThat(backoff.ceilingMillis(9)).isEqualTo(30_000);
        assertThat(backoff.ceilingMillis(1_000)).isEqualTo(30_000);
    }

    @Test
    void delaysAreFullJitterBelowTheCeiling() {
        for (int failure = 1; failure <= 40; failure++) {
            Duration delay = backoff.next("n1");
            assertThat(delay.toMillis()).isBetween(0L, backoff.ceilingMillis(failure));
        }
        assertThat(backoff.failures("n1")).isEqualTo(40);
    }

    @Test
    void successResetsTheKeyAndOnlyThatKey() {
        backoff.next("n1");
        backoff.next("n1");
        backoff.next("n2");

        backoff.reset("n1");

        assertThat(backoff.failures("n1")).isZero();
        assertThat(backoff.failures("n2")).isEqualTo(1);
        assertThat(backoff.next("n1").toMillis()).isLessThanOrEqualTo(200);
    }
}
