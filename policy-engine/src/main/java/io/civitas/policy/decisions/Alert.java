package io.civitas.policy.decisions;

import java.util.Objects;

/** Something a planner or operator should look at; severity is INFO, WARNING or CRITICAL by convention. */
public final class Alert implements Decision {
    private final String severity;
    private final String nodeId;
    private final String text;

    public Alert(String severity, String nodeId, String text) {
        this.severity = severity;
        this.nodeId = nodeId;
        this.text = text;
    }

    public String getSeverity() { return severity; }
    @Override public String getNodeId() { return nodeId; }
    public String getText() { return text; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Alert a && Objects.equals(severity, a.severity) && Objects.equals(nodeId, a.nodeId)
                && Objects.equals(text, a.text);
    }

    @Override public int hashCode() { return Objects.hash(severity, nodeId, text); }
    @Override public String toString() { return "Alert[" + severity + " " + nodeId + " " + text + "]"; }
}
