package io.civitas.e2e.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.civitas.controller.ControllerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real controller (embedded ZooKeeper, free ports) serving the built UI at /, and its REST API for setup. */
final class UiController implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path dataDir;
    private final int restPort = freePort();
    private final int wampPort = freePort();
    private ConfigurableApplicationContext context;
    private String token;

    UiController(Path dataDir) {
        this.dataDir = dataDir;
    }

    UiController start() throws IOException {
        context = new SpringApplicationBuilder(ControllerApplication.class).run(
                "--server.port=" + restPort, "--civitas.wamp.port=" + wampPort,
                "--civitas.wamp.bind-address=127.0.0.1", "--civitas.data-dir=" + dataDir);
        token = Files.readString(dataDir.resolve("admin-token")).trim();
        return this;
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + restPort);
    }

    String adminToken() {
        return token;
    }

    record Response(int status, JsonNode body) {}

    Response send(String method, String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base().resolve(path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isBlank() ? null : JSON.readTree(r.body()));
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
