package io.civitas.agent;

import io.civitas.overlay.Capture;
import io.civitas.protocol.CaptureRequest;
import io.civitas.protocol.CaptureResult;

import java.time.Duration;
import java.util.Base64;

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
        byte[] pcap = Capture.run(device, request.filter(), Math.min(request.maxPackets(), CaptureRequest.MAX_PACKETS),
                Duration.ofSeconds(Math.min(request.maxSeconds(), CaptureRequest.MAX_SECONDS)), CaptureRequest.MAX_BYTES,
                overlays.netns());
        return new CaptureResult(Base64.getEncoder().encodeToString(pcap), Capture.packets(pcap), device);
    }
}
