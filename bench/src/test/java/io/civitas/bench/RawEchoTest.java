package io.civitas.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RawEchoTest {

    @Test
    void theBaselineEchoesEveryFrameOverOneConnection() throws Exception {
        String payload = Measurement.payload(100);
        assertThat(payload).hasSize(100);
        try (EchoServer server = new EchoServer(); EchoClient client = new EchoClient(server.url())) {
            for (int i = 0; i < 50; i++) {
                assertThat(client.call(payload + i)).isEqualTo(payload + i);
            }
        }
    }

    @Test
    void aMeasurementAlternatesRoundsAndCountsEveryCall() throws Exception {
        List<String> calls = new ArrayList<>();
        RoundTrip a = p -> { calls.add("a"); return p; };
        RoundTrip b = p -> { calls.add("b"); return p; };
        Latencies[] result = new Measurement(3, 10, 2, "x", line -> { }).compare("a", a, "b", b);
        assertThat(result[0].count()).isEqualTo(10);
        assertThat(result[1].count()).isEqualTo(10);
        // warm-up interleaves; then round 1 runs a before b, round 2 b before a
        assertThat(String.join("", calls)).isEqualTo("ababab" + "aaaaabbbbb" + "bbbbbaaaaa");
    }

    @Test
    void aWrongEchoFailsTheRun() {
        RoundTrip wrong = p -> "not " + p;
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new Measurement(0, 1, 1, "x", line -> { }).single("wrong", wrong))
                .hasMessageContaining("something else than the payload");
    }
}
