package io.civitas.protocol;

/**
 * The per-node credential: WAMP ticket authentication with authid = {@code nodeId} and
 * ticket = {@code secret}. The agent stores it (file mode 0600) and uses it on every connection.
 */
public record EnrollResponse(String nodeId, String secret, String realm, String wampUrl) {}
