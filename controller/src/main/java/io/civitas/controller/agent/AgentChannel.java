package io.civitas.controller.agent;

import io.civitas.protocol.CaptureRequest;
import io.civitas.protocol.CaptureResult;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingDefaults;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The controller's way to reach node agents: their WAMP sessions on this controller's router.
 *
 * <p>Calls never block; a future fails with {@link AgentUnreachableException} when the node has no
 * session here, and with the agent's own error otherwise. Retrying is the caller's job (the
 * reconciler backs off).
 */
public interface AgentChannel {

    /**
     * Pushes {@code desired} to the node's agent over {@code city.node.<id>.apply}, stamped with the mastership
     * {@code epoch} it was decided under. Fails with {@link StaleEpochException} when the agent has accepted a
     * newer epoch.
     */
    CompletableFuture<AppliedState> apply(String nodeId, DesiredState desired, long epoch);

    /** Calls {@code city.node.<id>.ping}, which echoes {@code payload}: liveness and round-trip time. */
    CompletableFuture<String> ping(String nodeId, String payload);

    /**
     * Runs a packet capture on the node ({@code city.node.<id>.capture}); may take up to the request's
     * {@code maxSeconds}, so it is bounded by that plus {@code slack}, not by the usual call timeout. Carries no
     * mastership epoch: it changes nothing on the node, so a deposed controller's capture does no harm.
     */
    default CompletableFuture<CaptureResult> capture(String nodeId, CaptureRequest request, java.time.Duration slack) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("captures are not supported here"));
    }

    /**
     * Publishes the city's defaults on {@link io.civitas.protocol.WampUris#CITY_DEFAULTS} to every agent here that
     * subscribed to them (one message, the same bytes for all, instead of a push each); completes with those nodes
     * once the message is written to all of them. Each answers with what it applied, given to the {@link #onApplied}
     * listener; one that does not, or could not use them, needs a push of its whole state.
     */
    default CompletableFuture<Set<String>> announce(SamplingDefaults defaults) {
        return CompletableFuture.completedFuture(Set.of());
    }

    /**
     * Sets who hears agents' answers to {@link #announce}: node id and applied state, on the thread that read them
     * (it must not block).
     */
    default void onApplied(BiConsumer<String, AppliedState> listener) {}

    /** True while the node has an authenticated session on this controller that said hello. */
    boolean isReady(String nodeId);

    /** Ends the node's session, if any (used when a node is deleted or its credential revoked). */
    void disconnect(String nodeId, String reason);
}
