package io.civitas.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The admin REST calls a benchmark makes: creating and enrolling nodes in bulk, writing desired states. */
public final class CityAdmin {

    /** A node and the agent credential its enrollment gave. */
    public record Enrolled(String nodeId, String secret) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    public CityAdmin(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Creates and enrolls {@code count} BOARD nodes named {@code prefix-i}, {@code threads} at a time. */
    public List<Enrolled> enroll(String prefix, int count, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Enrolled>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = prefix + "-" + i;
                futures.add(pool.submit(() -> enrollOne(name)));
            }
            List<Enrolled> enrolled = new ArrayList<>();
            for (Future<Enrolled> f : futures) {
                enrolled.add(f.get());
            }
            return enrolled;
        } finally {
            pool.shutdownNow();
        }
    }

    /** PUTs the operator's desired labels; returns the new generation. */
    public long putLabels(String nodeId, String key, String value) throws Exception {
        JsonNode answer = send("PUT", "/api/v1/nodes/" + nodeId + "/desired",
                "{\"labels\":{" + JSON.writeValueAsString(key) + ":" + JSON.writeValueAsString(value) + "}}", 200);
        return answer.get("generation").asLong();
    }

    /** Any admin call (waiting up to 10 minutes: an activation answers when every node's decisions are stored). */
    public JsonNode call(String method, String path, String body, int expected) throws Exception {
        return send(method, path, body, expected, Duration.ofMinutes(10));
    }

    private Enrolled enrollOne(String name) throws Exception {
        JsonNode node = send("POST", "/api/v1/nodes", "{\"name\":\"" + name + "\",\"kind\":\"BOARD\"}", 201);
        JsonNode enrolled = send("POST", "/api/v1/enroll", "{\"token\":\"" + node.get("enrollmentToken").asText()
                + "\",\"protocolVersion\":1}", 200);
        return new Enrolled(enrolled.get("nodeId").asText(), enrolled.get("secret").asText());
    }

    private JsonNode send(String method, String path, String body, int expected) throws Exception {
        return send(method, path, body, expected, Duration.ofSeconds(30));
    }

    private JsonNode send(String method, String path, String body, int expected, Duration timeout) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IOException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
