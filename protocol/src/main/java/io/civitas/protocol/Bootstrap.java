package io.civitas.protocol;

/**
 * {@code GET /api/v1/agent/bootstrap}: all an agent needs besides the controller's base URL.
 * Public (no token), since it holds nothing secret.
 *
 * @param yourAddress the address the controller sees the request come from: an agent whose own underlay
 *     address differs is behind NAT (as a STUN server would tell it)
 */
public record Bootstrap(String realm, String wampUrl, int protocolVersion, int minProtocolVersion, String yourAddress) {

    public Bootstrap(String realm, String wampUrl, int protocolVersion, int minProtocolVersion) {
        this(realm, wampUrl, protocolVersion, minProtocolVersion, null);
    }
}
