package io.civitas.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.civitas.agent.AgentConfig;
import io.civitas.agent.NodeAgent;
import io.civitas.agent.OverlayConfig;
import io.civitas.controller.ControllerApplication;
import io.civitas.controller.agent.AgentChannel;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A controller and its agents in this one process, as a user would set them up: the controller starts with
 * a fresh data folder (embedded ZooKeeper, ephemeral REST and WAMP ports), nodes are created through the
 * REST API with the admin token, and each agent enrolls with its node's one-time token and dials in.
 */
final class InProcessCity implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final ConfigurableApplicationContext controller;
    private final String baseUrl;
    private final String adminToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<NodeAgent> agents = new ArrayList<>();
    private final Map<String, NodeAgent> agentsByNode = new HashMap<>();
    private final Consumer<String> progress;

    InProcessCity(Consumer<String> progress) throws Exception {
        this(progress, new String[0]);
    }

    /** The same, with more controller arguments ({@code --name=value}). */
    InProcessCity(Consumer<String> progress, String... arguments) throws Exception {
        this.progress = progress;
        dataDir = Files.createTempDirectory("civitas-bench-");
        long t0 = System.nanoTime();
        SpringApplication app = new SpringApplication(ControllerApplication.class);
        app.setBannerMode(Banner.Mode.OFF);
        try {
            List<String> args = new ArrayList<>(List.of(
                    "--server.port=0",
                    "--civitas.wamp.port=0",
                    "--civitas.data-dir=" + dataDir));
            args.addAll(List.of(arguments));
            controller = app.run(args.toArray(String[]::new));
        } catch (RuntimeException e) {
            deleteTree(dataDir);
            throw e;
        }
        String port = controller.getEnvironment().getProperty("local.server.port");
        if (port == null) {
            close();
            throw new IllegalStateException("the controller started but published no local.server.port");
        }
        baseUrl = "http://127.0.0.1:" + port;
        adminToken = Files.readString(dataDir.resolve("admin-token"), StandardCharsets.UTF_8).trim();
        progress.accept(String.format("controller up at %s in %.1f s (data %s)", baseUrl,
                (System.nanoTime() - t0) / 1e9, dataDir));
    }

    AgentChannel agentChannel() {
        return controller.getBean(AgentChannel.class);
    }

    String baseUrl() {
        return baseUrl;
    }

    /** Creates a BOARD node through the REST API, starts its agent, and returns once the node is ready. */
    String startBoard(String name) throws Exception {
        return startBoard(name, null);
    }

    /** The same, with the agent's overlays run as {@code overlays} says (null: the agent's default). */
    String startBoard(String name, OverlayConfig overlays) throws Exception {
        String body = json.writeValueAsString(json.createObjectNode()
                .put("name", name)
                .put("kind", "BOARD")
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("location",
                        json.createObjectNode().put("lat", 38.1938).put("lon", 15.5540))
                .set("labels", json.createObjectNode()));
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/nodes"))
                        .header("Authorization", "Bearer " + adminToken)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST /api/v1/nodes answered " + created.statusCode() + ": " + created.body());
        }
        JsonNode node = json.readTree(created.body());
        String nodeId = node.path("id").asText(null);
        String enrollmentToken = node.path("enrollmentToken").asText(null);
        if (nodeId == null || enrollmentToken == null) {
            throw new IllegalStateException("POST /api/v1/nodes gave no id or enrollmentToken: " + created.body());
        }

        Path stateDir = Files.createDirectories(dataDir.resolve("agents").resolve(name));
        AgentConfig config = AgentConfig.of(List.of(URI.create(baseUrl)), enrollmentToken, stateDir);
        NodeAgent agent = new NodeAgent(overlays == null ? config : config.withOverlays(overlays));
        agents.add(agent);
        agentsByNode.put(nodeId, agent);
        agent.start();

        AgentChannel channel = agentChannel();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!channel.isReady(nodeId)) {
            if (agent.termination().isCompletedExceptionally()) {
                agent.termination().join(); // throws the agent's reason
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + nodeId + " (" + name + ") was not ready within "
                        + START_TIMEOUT.toSeconds() + " s; agent connected: " + agent.isConnected());
            }
            Thread.sleep(20);
        }
        progress.accept("node " + name + " (" + nodeId + ") is ready");
        return nodeId;
    }

    /** The in-process agent of a node started here. */
    NodeAgent agent(String nodeId) {
        NodeAgent agent = agentsByNode.get(nodeId);
        if (agent == null) {
            throw new IllegalArgumentException("no agent started here for node " + nodeId);
        }
        return agent;
    }

    /**
     * One REST call with the admin token; {@code jsonBody} null sends none. Returns the parsed answer (a missing
     * node for an empty one) and fails, naming the call and the answer, unless the status is 2xx.
     */
    JsonNode api(String method, String path, String jsonBody) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + adminToken)
                .timeout(Duration.ofSeconds(10))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body().isBlank() ? json.missingNode() : json.readTree(answer.body());
    }

    @Override
    public void close() {
        for (NodeAgent agent : agents) {
            try {
                agent.close();
            } catch (Exception e) {
                progress.accept("closing an agent: " + e);
            }
        }
        agents.clear();
        agentsByNode.clear();
        if (controller != null) {
            controller.close();
        }
        deleteTree(dataDir);
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is no reason to fail a run
        }
    }
}
