package io.civitas.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FigureTest {

    @Test
    void printsTheDesignConventionWithRatioAndWhatTheBaselineIs() {
        Figure f = Figure.against("rpc", "p50_latency", 150.04, 50, "us", "raw WebSocket echo, same payload, same run");
        assertThat(f.toJson()).isEqualTo("{\"scenario\":\"rpc\",\"metric\":\"p50_latency\",\"value\":150.0,\"unit\":\"us\","
                + "\"baseline\":50,\"ratio\":3.001,\"baseline_is\":\"raw WebSocket echo, same payload, same run\"}");
    }

    @Test
    void leavesBaselineAndRatioOutWhenThereIsNone() {
        assertThat(Figure.of("ws-echo", "throughput", 15000, "calls/s").toJson())
                .isEqualTo("{\"scenario\":\"ws-echo\",\"metric\":\"throughput\",\"value\":15000,\"unit\":\"calls/s\"}");
    }

    @Test
    void escapesQuotesInText() {
        assertThat(Figure.against("s", "m", 1, 1, "u", "a \"quoted\" thing").toJson()).contains("\"a \\\"quoted\\\" thing\"");
    }
}
