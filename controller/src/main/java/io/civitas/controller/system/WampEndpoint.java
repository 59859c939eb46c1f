package io.civitas.controller.system;

/**
 * Where this controller's agent-facing WAMP router listens. Implemented by the WAMP server
 * ({@code io.civitas.controller.wamp}); read by the bootstrap and enrollment endpoints to tell agents
 * where to connect.
 */
public interface WampEndpoint {

    /** The port actually bound (never 0 once the server runs, even when configured as 0). */
    int port();

    /** The WebSocket path, starting with '/', e.g. {@code /wamp}. */
    String path();

    /** {@code wss} when the endpoint speaks TLS, else {@code ws}. */
    default String scheme() {
        return "ws";
    }
}
