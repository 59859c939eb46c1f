package io.civitas.policy.decisions;

import java.util.Objects;

/**
 * Isolate the node: its overlays become only {@code quarantine} and it exposes nothing, whatever other
 * rules decided; its sampling stays as decided.
 */
public final class Quarantine implements Decision {
    /** The one overlay a quarantined node keeps. */
    public static final String OVERLAY = "quarantine";

    private final String nodeId;
    private final String reason;

    public Quarantine(String nodeId, String reason) {
        this.nodeId = nodeId;
        this.reason = reason;
    }

    @Override public String getNodeId() { return nodeId; }
    public String getReason() { return reason; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quarantine q && Objects.equals(nodeId, q.nodeId) && Objects.equals(reason, q.reason);
    }

    @Override public int hashCode() { return Objects.hash(nodeId, reason); }
    @Override public String toString() { return "Quarantine[" + nodeId + " " + reason + "]"; }
}
