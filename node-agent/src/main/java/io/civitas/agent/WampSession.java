package io.civitas.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.overlay.DatapathException;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.CaptureRequest;
import io.civitas.protocol.OverlayStatus;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.HelloReply;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.SensorReading;
import io.civitas.protocol.StaleEpoch;
import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ws.wamp.jawampa.ApplicationError;
import ws.wamp.jawampa.Request;
import ws.wamp.jawampa.WampClient;
import ws.wamp.jawampa.WampClientBuilder;
import ws.wamp.jawampa.WampSerialization;
import ws.wamp.jawampa.auth.client.Ticket;
import ws.wamp.jawampa.transport.netty.NettyWampClientConnectorProvider;
import ws.wamp.jawampa.transport.netty.NettyWampConnectionConfig;
import io.netty.handler.ssl.SslContext;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One connection attempt: one WampClient, one WebSocket, at most one WAMP session. It never reconnects by
 * itself (Jawampa's reconnect is off); the connection loop decides what comes next from its {@link Outcome}.
 *
 * <p>On joining it registers apply and ping, then calls hello. It does not wait for REGISTERED (Jawampa
 * gives no confirmation): the router handles one session's messages in order, so the registrations are in
 * place before the controller sees the hello.
 */
final class WampSession {
    private static final Logger log = LoggerFactory.getLogger(WampSession.class);

    /** How an attempt ended: whether hello succeeded, how long the session lasted, and why it ended. */
    record Outcome(boolean joined, Duration lasted, String reason, String incompatibility) {}

    private final URI controller;
    private final Credential credential;
    private final DesiredStateApplier applier;
    private final Supplier<AgentHello> hello;
    private final Captures captures;
    private final WampClient client;
    private final CompletableFuture<Long> joined = new CompletableFuture<>();
    private final CompletableFuture<Outcome> ended = new CompletableFuture<>();
    private volatile String closeReason;
    private volatile String incompatibility;

    WampSession(URI controller, String wampUrl, String realm, Credential credential, DesiredStateApplier applier,
                Supplier<AgentHello> hello, Captures captures, SslContext tls) throws Exception {
        this.controller = controller;
        this.captures = captures;
        this.credential = credential;
        this.applier = applier;
        this.hello = hello;
        this.client = new WampClientBuilder()
                .withConnectorProvider(new NettyWampClientConnectorProvider())
                .withUri(wampUrl)
                .withRealm(realm)
                .withSerializations(new WampSerialization[] {WampSerialization.Json})
                .withAuthId(credential.nodeId())
                .withAuthMethod(new Ticket(credential.secret()))
                .withObjectMapper(Json.MAPPER)
                .withNrReconnects(0)
                .withConnectionConfiguration(new NettyWampConnectionConfig.Builder().withSslContext(tls).build())
                .build();
    }

    void open() {
        // skip(1): the status subject replays its initial "disconnected" to every new subscriber.
        client.statusChanged().skip(1).subscribe(this::onStatus,
                error -> end(Errors.describe(error)), () -> end("client closed"));
        client.open();
    }

    /** True once hello succeeded; false when the attempt ended first or {@code timeout} passed. */
    boolean awaitJoined(Duration timeout) throws InterruptedException {
        try {
            CompletableFuture.anyOf(joined, ended).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
        return joined.isDone() && !ended.isDone();
    }

    /** Waits for the end of the attempt, at most {@code timeout} (after that it is abandoned). */
    Outcome awaitEnd(Duration timeout) throws InterruptedException {
        try {
            return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return new Outcome(joined.isDone(), lasted(), "did not close within " + timeout.toSeconds() + " s", null);
        }
    }

    /** Waits for the end without limit (the session ends when the router goes or {@link #close} is called). */
    Outcome awaitEnd() throws InterruptedException {
        try {
            return ended.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean isJoined() {
        return joined.isDone() && !ended.isDone();
    }

    /** Publishes a reading when joined; drops it otherwise (telemetry is a stream, not a log to replay). */
    void publish(SensorReading reading) {
        if (isJoined()) {
            client.publish(WampUris.telemetry(credential.nodeId()), reading).subscribe(id -> { }, error -> { });
        }
    }

    /** Publishes what the agent sees of its overlays when joined; drops it otherwise (the next one follows). */
    void publish(OverlayStatus status) {
        if (isJoined()) {
            client.publish(WampUris.overlayStatus(credential.nodeId()), status).subscribe(id -> { }, error -> { });
        }
    }

    /** Ends the attempt; {@code reason} is what the log says about why the agent left. */
    void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        client.close();
    }

    private void onStatus(WampClient.State state) {
        if (state instanceof WampClient.ConnectedState connected) {
            onConnected(connected.sessionId());
        } else if (state instanceof WampClient.DisconnectedState disconnected) {
            end(disconnected.disconnectReason() == null ? "disconnected"
                    : Errors.describe(disconnected.disconnectReason()));
        }
    }

    private void onConnected(long sessionId) {
        String node = credential.nodeId();
        client.registerProcedure(WampUris.apply(node)).subscribe(this::onApply,
                error -> close("router refused to register " + WampUris.apply(node) + ": " + Errors.describe(error)));
        client.registerProcedure(WampUris.ping(node)).subscribe(this::onPing,
                error -> close("router refused to register " + WampUris.ping(node) + ": " + Errors.describe(error)));
        if (captures != null) {
            client.registerProcedure(WampUris.capture(node)).subscribe(this::onCapture,
                    error -> close("router refused to register " + WampUris.capture(node) + ": " + Errors.describe(error)));
        }
        // Before hello, like the registrations: in place before the controller counts this session as ready. A
        // controller older than the topic refuses it; the defaults then come in pushes of the whole state.
        client.makeSubscription(WampUris.CITY_DEFAULTS, SamplingDefaults.class).subscribe(this::onDefaults,
                error -> log.info("No {} subscription ({}): the city's defaults come with pushes", WampUris.CITY_DEFAULTS,
                        Errors.describe(error)));
        client.call(WampUris.CONTROLLER_HELLO, HelloReply.class, hello.get()).subscribe(reply -> {
            joined.complete(System.nanoTime());
            log.info("Joined controller {} ({}) as node {}, WAMP session {}", controller,
                    reply == null ? "?" : reply.controllerId(), node, sessionId);
        }, error -> {
            if (error instanceof ApplicationError e && WampUris.ERROR_INCOMPATIBLE_PROTOCOL.equals(e.uri())) {
                incompatibility = Errors.describe(error);
                close("controller refused this agent's protocol");
            } else {
                close("hello failed: " + Errors.describe(error));
            }
        });
    }

    private void onApply(Request request) {
        try {
            JsonNode argument = request.arguments() == null ? null : request.arguments().get(0);
            DesiredState desired = argument == null ? null : Json.MAPPER.treeToValue(argument, DesiredState.class);
            JsonNode epoch = request.keywordArguments() == null ? null : request.keywordArguments().get(WampUris.KW_EPOCH);
            AppliedState applied = applier.apply(desired, epoch == null ? 0 : epoch.asLong());
            request.reply(applied);
        } catch (DesiredStateApplier.StaleEpochException e) {
            log.warn("Refused a push of mastership epoch {}: this node accepted epoch {} already", e.offered(), e.held());
            try {
                request.replyError(WampUris.ERROR_STALE_EPOCH,
                        Json.MAPPER.createArrayNode().add("node " + credential.nodeId() + ": " + e.getMessage()),
                        Json.MAPPER.valueToTree(new StaleEpoch(credential.nodeId(), e.held(), e.offered())));
            } catch (ApplicationError error) {
                log.warn("could not send error {}: {}", WampUris.ERROR_STALE_EPOCH, error.toString());
            }
        } catch (DesiredStateApplier.RefusedException e) {
            replyError(request, WampUris.ERROR_INVALID_ARGUMENT, e.getMessage());
        } catch (DatapathException e) {
            log.warn("overlay apply failed: {}", e.getMessage());
            replyError(request, Errors.APPLY_FAILED, "apply failed on node " + credential.nodeId() + ": " + e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            replyError(request, WampUris.ERROR_INVALID_ARGUMENT, "not a DesiredState: " + e.getMessage());
        } catch (Exception e) {
            log.warn("apply failed: {}", e.toString());
            replyError(request, Errors.APPLY_FAILED, "apply failed on node " + credential.nodeId() + ": " + e);
        }
    }

    /**
     * The city's defaults changed: applied to the state in effect, and answered on the applied topic whatever came
     * of it (a generation below the controller's makes it push the whole state, and hear the reason if any), after
     * a random pause ({@link SamplingDefaults#answerPauseMillis}: 0.5-1.5 s).
     */
    private void onDefaults(SamplingDefaults defaults) {
        AppliedState state;
        try {
            state = applier.applyDefaults(defaults);
        } catch (DesiredStateApplier.RefusedException | java.io.IOException | RuntimeException e) {
            log.warn("Could not apply the city's defaults (version {}): {}",
                    defaults == null ? "?" : defaults.version(), e.getMessage());
            state = applier.current();
        }
        AppliedState answer = state;
        CompletableFuture.delayedExecutor(SamplingDefaults.answerPauseMillis(ThreadLocalRandom.current()),
                TimeUnit.MILLISECONDS).execute(() -> {
                    if (isJoined()) {
                        client.publish(WampUris.applied(credential.nodeId()), answer).subscribe(id -> { }, error -> { });
                    }
                });
    }

    /** Captures run for seconds: off the client's event loop, which must keep serving the session. */
    private void onCapture(Request request) {
        CompletableFuture.runAsync(() -> {
            try {
                JsonNode argument = request.arguments() == null ? null : request.arguments().get(0);
                CaptureRequest wanted = argument == null ? null : Json.MAPPER.treeToValue(argument, CaptureRequest.class);
                if (wanted == null) {
                    replyError(request, WampUris.ERROR_INVALID_ARGUMENT, "capture takes one CaptureRequest argument");
                    return;
                }
                request.reply(captures.capture(wanted));
            } catch (IllegalArgumentException e) {
                replyError(request, WampUris.ERROR_INVALID_ARGUMENT, e.getMessage());
            } catch (Exception e) {
                log.warn("capture failed: {}", e.toString());
                replyError(request, Errors.APPLY_FAILED, "capture failed on node " + credential.nodeId() + ": " + e.getMessage());
            }
        });
    }

    private void onPing(Request request) {
        request.reply(request.arguments(), null);
    }

    private static void replyError(Request request, String uri, String message) {
        try {
            request.replyError(uri, message);
        } catch (ApplicationError e) {
            log.warn("could not send error {}: {}", uri, e.toString());
        }
    }

    private void end(String why) {
        String reason = closeReason != null ? closeReason : why;
        if (ended.complete(new Outcome(joined.isDone(), lasted(), reason, incompatibility))) {
            client.close(); // releases the client's event loop if it is not closed yet
        }
    }

    private Duration lasted() {
        Long since = joined.getNow(null);
        return since == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }
}
