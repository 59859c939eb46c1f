package io.civitas.controller.agent;

import io.civitas.protocol.AgentHello;
import io.civitas.protocol.OverlayStatus;
import io.civitas.protocol.SensorReading;

/**
 * What the agent-facing router tells the rest of the controller. Implemented by the node registry.
 *
 * <p>Called from a worker thread, never from the router's event loop, one event at a time per node
 * in the order the router saw them. {@code sessionId} lets a late {@link #sessionLeft} of an old
 * session be told apart from the node's current one.
 */
public interface AgentEvents {

    /** True when {@code secret} is the node's current credential (checked during the WAMP handshake). */
    boolean verifyCredential(String nodeId, String secret);

    /** An authenticated session of this node joined the realm. */
    void sessionJoined(String nodeId, long sessionId, String remoteAddress);

    /** The node's agent said hello (its version was already checked): store inventory, then reconcile. */
    void helloReceived(String nodeId, long sessionId, AgentHello hello);

    /** The session ended (closed, lost or evicted by a newer session of the same node). */
    void sessionLeft(String nodeId, long sessionId);

    /** What the agent published on its overlay status topic (node id already checked against the session). */
    default void overlayStatusReceived(String nodeId, OverlayStatus status) {}

    /** A reading the agent published on its telemetry topic (node id already checked against the session). */
    void readingReceived(String nodeId, SensorReading reading);
}
