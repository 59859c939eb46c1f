package io.civitas.controller.overlay;

import io.civitas.controller.node.OverlayStatusReceived;
import io.civitas.protocol.OverlayStatus;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last overlay status each agent on this controller published. A cache of observations, not state: a
 * controller that restarts (or a node that moves to another controller) has it again within one probe period.
 */
@Component
class OverlayStatuses {
    private final Map<String, OverlayStatus> latest = new ConcurrentHashMap<>();

    @EventListener
    void onStatus(OverlayStatusReceived event) {
        latest.put(event.nodeId(), event.status());
    }

    Optional<OverlayStatus.Overlay> of(String nodeId, String overlay) {
        OverlayStatus status = latest.get(nodeId);
        return status == null ? Optional.empty()
                : status.overlays().stream().filter(o -> o.overlay().equals(overlay)).findFirst();
    }
}
