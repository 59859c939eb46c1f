package io.civitas.policy.decisions;

import java.util.Objects;

/** The node joins the overlay (a virtual network). */
public final class OverlayMembership implements Decision {
    private final String nodeId;
    private final String overlay;

    public OverlayMembership(String nodeId, String overlay) {
        this.nodeId = nodeId;
        this.overlay = overlay;
    }

    @Override public String getNodeId() { return nodeId; }
    public String getOverlay() { return overlay; }

    @Override
    public boolean equals(Object o) {
        return o instanceof OverlayMembership m && Objects.equals(nodeId, m.nodeId) && Objects.equals(overlay, m.overlay);
    }

    @Override public int hashCode() { return Objects.hash(nodeId, overlay); }
    @Override public String toString() { return "OverlayMembership[" + nodeId + " " + overlay + "]"; }
}
