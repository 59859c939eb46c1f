package io.civitas.protocol;

import java.util.List;

/**
 * What an agent observes of its overlays, published on {@link WampUris#overlayStatus(String)} when it changes
 * and at least every probe period: per overlay whether its devices are up, the datapath in use, the error of its
 * last apply (null when none) and, per peer, whether a probe (ICMP echo to the peer's overlay address) answered.
 */
public record OverlayStatus(String nodeId, long timeMillis, List<Overlay> overlays) {

    public OverlayStatus {
        overlays = overlays == null ? List.of() : List.copyOf(overlays);
    }

    public record Overlay(String overlay, int vni, String datapath, String device, boolean up, String error,
                          List<Peer> peers) {
        public Overlay {
            peers = peers == null ? List.of() : List.copyOf(peers);
        }
    }

    /** @param rttMillis round-trip time of the last answered probe; negative when it did not answer */
    public record Peer(String nodeId, String address, boolean reachable, double rttMillis) {}
}
