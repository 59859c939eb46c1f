package io.civitas.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The controller's REST API as an operator's script uses it: JSON over HTTP with the admin token. */
public final class CityApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    final URI base;
    private final String token;

    public CityApi(URI base, String token) {
        this(base, token, HttpClient.newHttpClient());
    }

    /** With a client of the caller's (one that trusts a test CA, say). */
    public CityApi(URI base, String token, HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    public record Response(int status, JsonNode body, String contentType) {}

    public Response get(String path) throws Exception {
        return send("GET", path, null);
    }

    public Response post(String path, String json) throws Exception {
        return send("POST", path, json);
    }

    public Response put(String path, String json) throws Exception {
        return send("PUT", path, json);
    }

    public Response send(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = response.body().isBlank() ? null : JSON.readTree(response.body());
        return new Response(response.statusCode(), body, response.headers().firstValue("Content-Type").orElse(""));
    }

    /** An answer that is not JSON (a pcap file). */
    public record Raw(int status, byte[] body, String contentType) {}

    public Raw postRaw(String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Raw(response.statusCode(), response.body(), response.headers().firstValue("Content-Type").orElse(""));
    }

    /** Creates a node and returns its enrollment token. */
    public String createNode(String name, String kind) throws Exception {
        Response r = post("/api/v1/nodes", "{\"name\":\"" + name + "\",\"kind\":\"" + kind
                + "\",\"location\":{\"lat\":38.19,\"lon\":15.55},\"labels\":{\"district\":\"centro\"}}");
        if (r.status() != 201) {
            throw new AssertionError("creating " + name + ": " + r);
        }
        return r.body().get("enrollmentToken").asText();
    }

    public JsonNode node(String id) throws Exception {
        return get("/api/v1/nodes/" + id).body();
    }

    public String status(String id) throws Exception {
        return node(id).get("status").asText();
    }
}
