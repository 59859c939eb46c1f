package io.civitas.controller.node;

import io.civitas.protocol.Inventory;

import java.time.Instant;
import java.util.Map;

/**
 * A node as the REST API shows it: what the operator set, where its agent is, and how far what it runs
 * is behind what it should run ({@code generationGap} = desired - applied).
 */
record NodeView(String id, String name, NodeKind kind, Location location, Map<String, String> labels,
                NodeStatus status, Instant lastSeen, Inventory inventory, long desiredGeneration,
                long appliedGeneration, long generationGap, Integer protocolVersion, Session session) {

    /** The agent's WAMP session, while it has one. */
    record Session(String controllerId, String remoteAddress, Instant since) {}
}
