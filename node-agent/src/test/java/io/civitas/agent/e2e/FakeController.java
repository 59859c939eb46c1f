package io.civitas.agent.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.Bootstrap;
import io.civitas.protocol.ClusterMembers;
import io.civitas.protocol.EnrollRequest;
import io.civitas.protocol.EnrollResponse;
import io.civitas.protocol.HelloReply;
import io.civitas.protocol.Protocol;
import io.civitas.protocol.WampUris;
import rx.Observable;
import ws.wamp.jawampa.Request;
import ws.wamp.jawampa.WampClient;
import ws.wamp.jawampa.WampClientBuilder;
import ws.wamp.jawampa.WampRouter;
import ws.wamp.jawampa.WampRouterBuilder;
import ws.wamp.jawampa.transport.netty.NettyWampClientConnectorProvider;
import ws.wamp.jawampa.transport.netty.SimpleWampWebsocketListener;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The controller as an agent sees it, built from real parts: a JDK HTTP server for bootstrap and enroll, a
 * real Jawampa router on a real WebSocket, and a "controller" WAMP session that offers city.controller.hello.
 * The plain Jawampa router does not authenticate; the agent's ticket is simply ignored here.
 */
final class FakeController implements AutoCloseable {
    static final String PROBE = "probe";
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<EnrollRequest> enrollments = new CopyOnWriteArrayList<>();
    /** Admin API: nodes by name (as the controller would return them), desired states by node id. */
    final Map<String, Map<String, Object>> nodes = new ConcurrentHashMap<>();
    final Map<String, JsonNode> desired = new ConcurrentHashMap<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    final List<AgentHello> hellos = new CopyOnWriteArrayList<>();
    /** What discovery lists: controllers' base URLs. */
    final List<URI> members = new CopyOnWriteArrayList<>();
    volatile String nodeId = "board_1";
    /** When set, enroll answers 401 with this detail. */
    volatile String refuseEnrollment;
    /** When set, bootstrap sends agents to this WebSocket URL instead of the router's. */
    volatile String bootstrapWampUrl;
    /** When set, hello answers city.error.incompatible_protocol with this reason. */
    volatile String refuseHello;

    private final HttpServer http;
    private final int wampPort;
    private WampRouter router;
    private SimpleWampWebsocketListener listener;
    private WampClient controllerSession;

    FakeController() throws IOException {
        wampPort = freePort();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v1/agent/bootstrap", exchange -> reply(exchange, 200, "application/json",
                new Bootstrap(Protocol.REALM, bootstrapWampUrl != null ? bootstrapWampUrl : wampUrl(),
                        Protocol.VERSION, Protocol.MIN_SUPPORTED)));
        http.createContext("/api/v1/enroll", this::enroll);
        http.createContext(ClusterMembers.PATH, exchange -> reply(exchange, 200, "application/json",
                new ClusterMembers(members.stream().map(url -> new ClusterMembers.Member("c", url.toString(), null)).toList())));
        http.createContext("/api/v1/nodes", this::admin);
        http.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    String wampUrl() {
        return "ws://127.0.0.1:" + wampPort + "/wamp";
    }

    /** The controller's own session on the router; use it to call the agent's procedures. */
    WampClient session() {
        return controllerSession;
    }

    /** Starts (or restarts) router, WebSocket listener and the controller session with its hello procedure. */
    synchronized void startRouter() throws Exception {
        router = new WampRouterBuilder().addRealm(Protocol.REALM).build();
        listener = new SimpleWampWebsocketListener(router, URI.create(wampUrl()), null);
        listener.start();
        controllerSession = new WampClientBuilder()
                .withConnectorProvider(new NettyWampClientConnectorProvider())
                .withUri(wampUrl()).withRealm(Protocol.REALM).withNrReconnects(0).build();
        controllerSession.open();
        controllerSession.statusChanged().filter(state -> state instanceof WampClient.ConnectedState)
                .timeout(10, TimeUnit.SECONDS).toBlocking().first();
        controllerSession.registerProcedure(WampUris.CONTROLLER_HELLO).subscribe(this::hello);
        // Jawampa does not confirm REGISTERED: call our own procedure until it answers.
        await().atMost(10, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions().until(() ->
                controllerSession.call(WampUris.CONTROLLER_HELLO, HelloReply.class,
                                new AgentHello(PROBE, Protocol.VERSION, null, 0))
                        .timeout(1, TimeUnit.SECONDS).toBlocking().single() != null);
    }

    /** Stops the router the hard way for the agents: their WebSockets close under them. */
    synchronized void stopRouter() {
        if (router != null) {
            // Router first, while the controller session is still open: WampRouter.close() never completes
            // when it has no connection left to close. Bounded anyway.
            awaitQuietly(router.close());
        }
        if (controllerSession != null) {
            awaitQuietly(controllerSession.close());
        }
        if (listener != null) {
            listener.stop();
        }
        controllerSession = null;
        router = null;
        listener = null;
    }

    @Override
    public void close() {
        stopRouter();
        http.stop(0);
    }

    private void hello(Request request) {
        try {
            AgentHello hello = JSON.treeToValue(request.arguments().get(0), AgentHello.class);
            if (!PROBE.equals(hello.nodeId())) {
                hellos.add(hello);
            }
            if (refuseHello != null && !PROBE.equals(hello.nodeId())) {
                request.replyError(WampUris.ERROR_INCOMPATIBLE_PROTOCOL, refuseHello);
                return;
            }
            request.reply(new HelloReply(hello.nodeId(), "fake-controller", System.currentTimeMillis()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void enroll(HttpExchange exchange) throws IOException {
        EnrollRequest request = JSON.readValue(exchange.getRequestBody(), EnrollRequest.class);
        enrollments.add(request);
        if (refuseEnrollment != null) {
            reply(exchange, 401, "application/problem+json", Map.of(
                    "title", "Unauthorized", "status", 401, "detail", refuseEnrollment));
            return;
        }
        String id = tokens.getOrDefault(request.token(), nodeId);
        reply(exchange, 200, "application/json", new EnrollResponse(id, "secret-of-" + id, Protocol.REALM, wampUrl()));
    }

    /** GET/POST /api/v1/nodes and PUT /api/v1/nodes/{id}/desired, enough for the demo city. */
    private void admin(HttpExchange exchange) throws IOException {
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (method.equals("GET") && path.equals("/api/v1/nodes")) {
            reply(exchange, 200, "application/json", List.copyOf(nodes.values()));
        } else if (method.equals("POST") && path.equals("/api/v1/nodes")) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String name = body.path("name").asText();
            Map<String, Object> node = new HashMap<>(JSON.convertValue(body, Map.class));
            node.put("id", name);
            nodes.put(name, node);
            tokens.put("token-of-" + name, name);
            Map<String, Object> created = new HashMap<>(node);
            created.put("enrollmentToken", "token-of-" + name);
            reply(exchange, 201, "application/json", created);
        } else if (method.equals("POST") && path.endsWith("/enrollment")) {
            String id = path.substring("/api/v1/nodes/".length(), path.length() - "/enrollment".length());
            String token = "token-again-of-" + id;
            tokens.put(token, id);
            reply(exchange, 201, "application/json", Map.of("nodeId", id, "enrollmentToken", token));
        } else if (method.equals("PUT") && path.endsWith("/desired")) {
            String id = path.substring("/api/v1/nodes/".length(), path.length() - "/desired".length());
            desired.put(id, JSON.readTree(exchange.getRequestBody()));
            reply(exchange, 200, "application/json", Map.of("nodeId", id));
        } else {
            reply(exchange, 404, "application/problem+json", Map.of("title", "Not Found", "detail", path));
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void awaitQuietly(Observable<Void> closing) {
        closing.timeout(3, TimeUnit.SECONDS).onErrorResumeNext(Observable.<Void>empty()).toBlocking().lastOrDefault(null);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
