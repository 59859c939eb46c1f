package io.civitas.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.protocol.SamplingPlan;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The few admin REST calls the demo city needs, with the admin token as a bearer token. */
final class AdminApi {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final URI base;
    private final String adminToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminApi(URI base, String adminToken) {
        this.base = base;
        this.adminToken = adminToken;
    }

    /** All nodes; accepts a bare array or an object wrapping it ("nodes", "items" or "content"). */
    List<JsonNode> nodes() throws IOException, InterruptedException {
        JsonNode body = send("GET", "/api/v1/nodes", null, "list nodes");
        for (String wrapper : List.of("nodes", "items", "content")) {
            if (body.isObject() && body.path(wrapper).isArray()) {
                body = body.path(wrapper);
            }
        }
        List<JsonNode> result = new ArrayList<>();
        body.forEach(result::add);
        return result;
    }

    /** Creates a node; the answer carries its {@code id} and one-time {@code enrollmentToken}. */
    JsonNode createNode(DemoCityPlan.DemoNode node) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", node.name());
        body.put("kind", node.kind());
        body.put("location", Map.of("lat", node.lat(), "lon", node.lon()));
        body.put("labels", node.labels());
        return send("POST", "/api/v1/nodes", body, "create node " + node.name());
    }

    /** A fresh one-time token for an existing node (its old credential stays valid until the token is used). */
    String reissueEnrollment(String nodeId) throws IOException, InterruptedException {
        JsonNode answer = send("POST", "/api/v1/nodes/" + nodeId + "/enrollment", Map.of(),
                "new enrollment token for " + nodeId);
        String token = answer.path("enrollmentToken").asText(null);
        if (token == null) {
            throw new IOException("new enrollment token for " + nodeId + ": answer has no enrollmentToken");
        }
        return token;
    }

    void putDesired(String nodeId, Map<String, String> labels, List<SamplingPlan> sampling)
            throws IOException, InterruptedException {
        send("PUT", "/api/v1/nodes/" + nodeId + "/desired", Map.of("labels", labels, "sampling", sampling),
                "set desired state of " + nodeId);
    }

    /** The overlays ({@code [{name, vni, cidr, mtu, members}]}). */
    JsonNode overlays() throws IOException, InterruptedException {
        return send("GET", "/api/v1/overlays", null, "list overlays");
    }

    void createOverlay(String name, int vni, String cidr) throws IOException, InterruptedException {
        send("POST", "/api/v1/overlays", Map.of("name", name, "vni", vni, "cidr", cidr), "create overlay " + name);
    }

    /** Puts the node in the overlay (the operator's membership); answers {@code {overlay, node, member, address}}. */
    JsonNode addMember(String overlay, String nodeId) throws IOException, InterruptedException {
        return send("POST", "/api/v1/overlays/" + overlay + "/members", Map.of("node", nodeId),
                "put " + nodeId + " in overlay " + overlay);
    }

    /** The city's district outlines ({@code {"districts": [...]}}; empty when none are stored). */
    JsonNode districts() throws IOException, InterruptedException {
        return send("GET", "/api/v1/city/districts", null, "read district outlines");
    }

    void putDistricts(List<DemoCityPlan.District> districts) throws IOException, InterruptedException {
        send("PUT", "/api/v1/city/districts", Map.of("districts", districts), "store district outlines");
    }

    private JsonNode send(String method, String path, Object body, String what)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(ControllerHttp.resolve(base, path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + adminToken)
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw ProblemException.of(what + " at " + base, response.statusCode(), response.body());
        }
        String text = response.body();
        return Json.MAPPER.readTree(text == null || text.isBlank() ? "{}" : text);
    }
}
