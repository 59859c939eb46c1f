package io.civitas.agent;

import io.civitas.protocol.CaptureRequest;
import io.civitas.protocol.CaptureResult;

/** Captures on the node's overlay devices, bounded by {@link CaptureRequest}'s limits. */
final class OverlayCaptures implements Captures {
    private final NodeOverlays overlays;

    OverlayCaptures(NodeOverlays overlays) {
        this.overlays = overlays;
    }

    @Override
    public CaptureResult capture(CaptureRequest request) {
        String device = overlays.deviceOf(request.overlay());
        if (device == null) {
            throw new IllegalArgumentException("overlay: this node is not in overlay '" + request.overlay() + "'");
        }
        throw new UnsupportedOperationException("packet capture is not available in this agent build");
    }
}
