package io.civitas.controller.overlay;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Overlay settings, under {@code civitas.overlay.*}.
 *
 * @param relayAddress the underlay address of this controller's relay for nodes behind NAT (also the address
 *     plans point those nodes' peers at); empty = no relay, and a node behind NAT gets no plan
 * @param relayPort    the relay's UDP port (not 4789, so it never collides with a kernel VXLAN device here)
 */
@ConfigurationProperties("civitas.overlay")
public record OverlaySettings(String relayAddress, @DefaultValue("4790") int relayPort) {

    public boolean hasRelay() {
        return relayAddress != null && !relayAddress.isBlank();
    }
}
