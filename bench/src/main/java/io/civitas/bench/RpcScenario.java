package io.civitas.bench;

import io.civitas.controller.agent.AgentChannel;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Controller-to-agent RPC round trip: {@code AgentChannel.ping(nodeId, payload)}, the path every push of
 * desired state takes (the agent session's gate sends a WAMP INVOCATION over the agent's WebSocket, the
 * agent's Jawampa client answers with YIELD, and back). Baseline: a raw Netty WebSocket echo on localhost with the same payload, measured
 * in alternating rounds in the same process.
 */
final class RpcScenario implements Scenario {
    static final String NAME = "rpc";
    static final String BASELINE_IS = "raw WebSocket echo, same payload, same run";
    private static final long CALL_TIMEOUT_SECONDS = 10;

    @Override
    public String description() {
        return "controller->agent WAMP ping round trip (AgentChannel.ping) vs a raw WebSocket echo";
    }

    @Override
    public List<Figure> run(Options o, Consumer<String> progress) throws Exception {
        Measurement measurement = new Measurement(o.warmup(), o.calls(), o.rounds(),
                Measurement.payload(o.payloadBytes()), progress);
        try (InProcessCity city = new InProcessCity(progress);
             EchoServer echoServer = new EchoServer();
             EchoClient echo = new EchoClient(echoServer.url())) {
            String nodeId = city.startBoard("bench-board-1");
            AgentChannel channel = city.agentChannel();
            RoundTrip ping = payload -> channel.ping(nodeId, payload).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            progress.accept(String.format("measuring %d sequential round trips each, %d-byte payload, in %d rounds",
                    o.calls(), o.payloadBytes(), o.rounds()));
            Latencies[] result = measurement.compare("rpc", ping, "raw echo", echo);
            Latencies rpc = result[0];
            Latencies raw = result[1];
            return List.of(
                    Figure.against(NAME, "p50_latency", rpc.percentileMicros(50), raw.percentileMicros(50), "us", BASELINE_IS),
                    Figure.against(NAME, "p99_latency", rpc.percentileMicros(99), raw.percentileMicros(99), "us", BASELINE_IS),
                    Figure.against(NAME, "mean_latency", rpc.meanMicros(), raw.meanMicros(), "us", BASELINE_IS),
                    Figure.against(NAME, "throughput", Math.round(rpc.callsPerSecond()), Math.round(raw.callsPerSecond()),
                            "calls/s", BASELINE_IS));
        }
    }
}
