package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.controller.agent.AgentChannel;
import io.civitas.controller.agent.AgentUnreachableException;
import io.civitas.controller.agent.StaleEpochException;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.CaptureRequest;
import io.civitas.protocol.CaptureResult;
import io.civitas.protocol.OverlayStatus;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.HelloReply;
import io.civitas.protocol.Protocol;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.SensorReading;
import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rx.Observable;
import ws.wamp.jawampa.ApplicationError;
import ws.wamp.jawampa.EventDetails;
import ws.wamp.jawampa.Request;
import ws.wamp.jawampa.SubscriptionFlags;
import ws.wamp.jawampa.WampClient;
import ws.wamp.jawampa.WampClientBuilder;
import ws.wamp.jawampa.WampRouter;
import ws.wamp.jawampa.WampSerialization;

import java.time.Duration;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The controller's own WAMP session, joined in-process to its router: it offers
 * {@code city.controller.hello} to agents, listens to every node's telemetry, and calls agents'
 * procedures for the rest of the controller ({@link AgentChannel}).
 */
final class ControllerSession implements AgentChannel, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControllerSession.class);
    private static final String ALL_TELEMETRY = "city.node..telemetry";
    private static final String ALL_OVERLAY_STATUS = "city.node..overlay_status";

    private final WampRouter router;
    private final NodeSessions sessions;
    private final String controllerId;
    private final Duration callTimeout;
    private final ObjectMapper mapper = WampSerialization.Json.getObjectMapper();
    private WampClient client;

    ControllerSession(WampRouter router, NodeSessions sessions, String controllerId, Duration callTimeout) {
        this.router = router;
        this.sessions = sessions;
        this.controllerId = controllerId;
        this.callTimeout = callTimeout;
    }

    /** Joins the router and returns once {@code city.controller.hello} and the telemetry subscription are in place. */
    void open(Duration timeout) throws Exception {
        client = new WampClientBuilder()
                .withUri("ws://in-process/wamp")
                .withRealm(Protocol.REALM)
                .withConnectorProvider(new InProcessConnectorProvider(router.connectionAcceptor()))
                .withNrReconnects(0)
                .build();
        CompletableFuture<Void> joined = new CompletableFuture<>();
        client.statusChanged().subscribe(state -> {
            if (state instanceof WampClient.ConnectedState) {
                joined.complete(null);
            }
        });
        client.open();
        joined.get(timeout.toMillis(), TimeUnit.MILLISECONDS);

        client.registerProcedure(WampUris.CONTROLLER_HELLO).subscribe(this::onHello,
                e -> log.error("lost the registration of {}: {}", WampUris.CONTROLLER_HELLO, e.toString()));
        client.makeSubscriptionWithDetails(ALL_TELEMETRY, SubscriptionFlags.Wildcard, SensorReading.class)
                .subscribe(this::onReading, e -> log.error("lost the telemetry subscription: {}", e.toString()));
        client.makeSubscriptionWithDetails(ALL_OVERLAY_STATUS, SubscriptionFlags.Wildcard, OverlayStatus.class)
                .subscribe(this::onOverlayStatus, e -> log.error("lost the overlay status subscription: {}", e.toString()));
        // Jawampa confirms neither REGISTER nor SUBSCRIBE, and sends them asynchronously: call our own
        // hello until it answers. The router handles one session's messages in order, so the
        // subscription, sent before the registration, is in place too.
        long deadline = System.nanoTime() + timeout.toNanos();
        ObjectNode probe = Json.object().put("probe", true);
        while (true) {
            try {
                toFuture(client.call(WampUris.CONTROLLER_HELLO, mapper.createArrayNode(), probe)).get(1, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the controller's session could not register " + WampUris.CONTROLLER_HELLO, e);
                }
                Thread.sleep(10);
            }
        }
    }

    @Override
    public CompletableFuture<AppliedState> apply(String nodeId, DesiredState desired, long epoch) {
        ObjectNode fencing = Json.object().put(WampUris.KW_EPOCH, epoch);
        return invoke(nodeId, WampUris.apply(nodeId), desired, fencing, AppliedState.class, callTimeout)
                .exceptionallyCompose(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof ApplicationError refused && WampUris.ERROR_STALE_EPOCH.equals(refused.uri())) {
                        JsonNode kw = refused.keywordArguments();
                        long held = kw == null ? -1 : kw.path("heldEpoch").asLong(-1);
                        return CompletableFuture.failedFuture(new StaleEpochException(nodeId, held, epoch));
                    }
                    return CompletableFuture.failedFuture(error);
                });
    }

    @Override
    public CompletableFuture<String> ping(String nodeId, String payload) {
        return invoke(nodeId, WampUris.ping(nodeId), payload, String.class);
    }

    /** Calls the node's procedure directly through its gate (not the router): one argument in, one result out. */
    private <T> CompletableFuture<T> invoke(String nodeId, String procedure, Object argument, Class<T> resultType) {
        return invoke(nodeId, procedure, argument, null, resultType, callTimeout);
    }

    private <T> CompletableFuture<T> invoke(String nodeId, String procedure, Object argument, ObjectNode keywords,
                                            Class<T> resultType, Duration timeout) {
        SessionGate gate = sessions.ready(nodeId);
        if (gate == null) {
            return CompletableFuture.failedFuture(new AgentUnreachableException(nodeId));
        }
        // The timeout goes on the gate's own future, so a call the agent never answers is also forgotten there.
        // The argument goes in as a POJO node: the transport writes it straight to the frame (a tree first cost as
        // much again in a city-wide push).
        return gate.invoke(procedure, mapper.createArrayNode().addPOJO(argument), keywords)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(result -> {
                    if (result == null || result.isEmpty()) {
                        throw new IllegalStateException(procedure + " returned no result");
                    }
                    try {
                        return mapper.treeToValue(result.get(0), resultType);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(procedure + " returned " + result.get(0) + ": " + e.getMessage(), e);
                    }
                });
    }

    @Override
    public CompletableFuture<CaptureResult> capture(String nodeId, CaptureRequest request, Duration slack) {
        return invoke(nodeId, WampUris.capture(nodeId), request, null, CaptureResult.class,
                Duration.ofSeconds(request.maxSeconds()).plus(slack));
    }

    @Override
    public CompletableFuture<Set<String>> announce(SamplingDefaults defaults) {
        return sessions.announce(defaults);
    }

    @Override
    public void onApplied(BiConsumer<String, AppliedState> listener) {
        sessions.onApplied(listener);
    }

    @Override
    public boolean isReady(String nodeId) {
        return sessions.isReady(nodeId);
    }

    @Override
    public void disconnect(String nodeId, String reason) {
        sessions.disconnect(nodeId, reason);
    }

    private void onHello(Request request) {
        ObjectNode kw = request.keywordArguments();
        String nodeId = kw == null ? null : kw.path("caller_authid").asText(null);
        try {
            if (nodeId == null) {
                // Only this session reaches here without a caller: the start-up probe.
                request.reply("ready");
                return;
            }
            SessionGate gate = sessions.current(nodeId, kw.path("caller_session").asLong());
            AgentHello hello = parseHello(request.arguments() == null ? null : request.arguments().get(0));
            if (hello == null) {
                request.replyError(WampUris.ERROR_INVALID_ARGUMENT, "hello takes one AgentHello argument");
            } else if (!nodeId.equals(hello.nodeId())) {
                request.replyError(WampUris.ERROR_NOT_AUTHORIZED,
                        "hello names node " + hello.nodeId() + " but this session is node " + nodeId);
            } else if (Protocol.incompatibility(hello.protocolVersion()) != null) {
                String reason = Protocol.incompatibility(hello.protocolVersion());
                log.warn("refused node {}: {}", nodeId, reason);
                request.replyError(WampUris.ERROR_INCOMPATIBLE_PROTOCOL, reason);
                if (gate != null) {
                    CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> gate.evict(reason));
                }
            } else if (gate == null) {
                request.replyError(WampUris.ERROR_NOT_AUTHORIZED, "this session has ended");
            } else {
                sessions.helloReceived(gate, hello);
                request.reply(new HelloReply(nodeId, controllerId, System.currentTimeMillis()));
            }
        } catch (ApplicationError e) {
            log.warn("could not answer hello of node {}: {}", nodeId, e.toString());
        }
    }

    private AgentHello parseHello(JsonNode argument) {
        try {
            return argument == null ? null : mapper.treeToValue(argument, AgentHello.class);
        } catch (Exception e) {
            return null;
        }
    }

    private void onReading(EventDetails<SensorReading> event) {
        // The gate let only the node itself publish under its prefix, so the topic names the sender.
        String nodeId = WampUris.nodeOf(event.topic());
        SensorReading r = event.message();
        if (nodeId != null && r != null) {
            sessions.readingReceived(nodeId,
                    new SensorReading(nodeId, r.sensor(), r.value(), r.unit(), r.timeMillis()));
        }
    }

    private void onOverlayStatus(EventDetails<OverlayStatus> event) {
        String nodeId = WampUris.nodeOf(event.topic());
        OverlayStatus s = event.message();
        if (nodeId != null && s != null) {
            sessions.overlayStatusReceived(nodeId, new OverlayStatus(nodeId, s.timeMillis(), s.overlays()));
        }
    }

    private static <T> CompletableFuture<T> toFuture(Observable<T> observable) {
        CompletableFuture<T> future = new CompletableFuture<>();
        observable.subscribe(future::complete, future::completeExceptionally,
                () -> future.complete(null));
        return future;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close().toBlocking().lastOrDefault(null);
            client = null;
        }
    }
}
