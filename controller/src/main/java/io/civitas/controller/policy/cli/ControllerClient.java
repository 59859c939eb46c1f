package io.civitas.controller.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The controller's REST API for the CLI: JSON over HTTP with the admin token; errors as problem bodies. */
final class ControllerClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer that is not 2xx, with its problem body (null when it had none). */
    static final class Failure extends Exception {
        final int status;
        final JsonNode problem;

        Failure(int status, JsonNode problem, String message) {
            super(message);
            this.status = status;
            this.problem = problem;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    ControllerClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    JsonNode get(String path) throws Failure {
        return send("GET", path, null);
    }

    JsonNode post(String path, JsonNode body) throws Failure {
        return send("POST", path, body);
    }

    private JsonNode send(String method, String path, JsonNode body) throws Failure {
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure(0, null, "cannot reach the controller at " + base + " (is it running? --controller URL)");
        } catch (IOException e) {
            throw new Failure(0, null, "talking to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, null, "interrupted");
        }
        JsonNode json = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            String detail = json != null && json.hasNonNull("detail") ? json.get("detail").asText() : response.body();
            throw new Failure(response.statusCode(), json, detail + " (HTTP " + response.statusCode() + ")");
        }
        return json;
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException notJson) {
            return null;
        }
    }
}
