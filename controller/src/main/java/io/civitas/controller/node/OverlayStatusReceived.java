package io.civitas.controller.node;

import io.civitas.protocol.OverlayStatus;

/** An agent told what it sees of its overlays (devices, peers reachable). */
public record OverlayStatusReceived(String nodeId, OverlayStatus status) {}
