package io.civitas.bench;

import java.util.List;
import java.util.function.Consumer;

/** The raw WebSocket echo alone: the floor of the {@code rpc} scenario, without a controller. */
final class WsEchoScenario implements Scenario {
    static final String NAME = "ws-echo";

    @Override
    public String description() {
        return "round trips of a raw Netty WebSocket echo on localhost (the rpc scenario's baseline, alone)";
    }

    @Override
    public List<Figure> run(Options o, Consumer<String> progress) throws Exception {
        Measurement measurement = new Measurement(o.warmup(), o.calls(), o.rounds(),
                Measurement.payload(o.payloadBytes()), progress);
        try (EchoServer server = new EchoServer(); EchoClient client = new EchoClient(server.url())) {
            progress.accept("echo server on " + server.url());
            Latencies l = measurement.single("raw WebSocket echo", client);
            return List.of(
                    Figure.of(NAME, "p50_latency", l.percentileMicros(50), "us"),
                    Figure.of(NAME, "p99_latency", l.percentileMicros(99), "us"),
                    Figure.of(NAME, "mean_latency", l.meanMicros(), "us"),
                    Figure.of(NAME, "throughput", Math.round(l.callsPerSecond()), "calls/s"));
        }
    }
}
