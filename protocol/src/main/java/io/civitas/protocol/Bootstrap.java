package io.civitas.protocol;

/**
 * {@code GET /api/v1/agent/bootstrap}: all an agent needs besides the controller's base URL.
 * Public (no token), since it holds nothing secret.
 */
public record Bootstrap(String realm, String wampUrl, int protocolVersion, int minProtocolVersion) {}
