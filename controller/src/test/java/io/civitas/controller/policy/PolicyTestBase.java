package io.civitas.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import org.junit.jupiter.api.AfterEach;

import java.util.Iterator;
import java.util.Map;

/**
 * Policy tests share the controller of {@link ApiTestBase}, so their rules match only nodes carrying
 * their own {@code ptest} label (other tests' nodes never see a decision), and every test deactivates
 * what it activated.
 */
abstract class PolicyTestBase extends ApiTestBase {

    static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void deactivateAll() {
        JsonNode active = api.get("/api/v1/policy-activation").body().get("active");
        for (Iterator<String> names = active.fieldNames(); names.hasNext(); ) {
            api.post("/api/v1/policies/" + names.next() + "/deactivate", null);
        }
    }

    /** Nodes with this tag join {@code overlay} and sample temperature every {@code period} ms. */
    static String joinRule(String tag, String overlay, long period) {
        return """
                package civitas.test.%s;

                rule "tagged nodes join %s"
                when
                    $n : Node( labels["ptest"] == "%s" )
                then
                    insertLogical(new OverlayMembership($n.getId(), "%s"));
                    insertLogical(new SamplingPlan($n.getId(), "temperature", %dL));
                end
                """.formatted(pkg(tag), overlay, tag, overlay, period);
    }

    static String pkg(String tag) {
        return tag.replaceAll("[^a-z0-9]", "");
    }

    /** {"name": name, "files": [{"path": path, "text": text}, ...]} from path, text pairs. */
    static String body(String name, String... pathsAndTexts) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        ArrayNode files = body.putArray("files");
        for (int i = 0; i < pathsAndTexts.length; i += 2) {
            files.addObject().put("path", pathsAndTexts[i]).put("text", pathsAndTexts[i + 1]);
        }
        return body.toString();
    }

    static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pushes a one-file DRL policy and returns its version. */
    int push(String name, String drl) {
        Api.Response r = api.post("/api/v1/policies", body(name, "rules.drl", drl));
        if (r.status() != 201) {
            throw new AssertionError("push " + name + ": " + r);
        }
        return r.body().get("version").asInt();
    }

    Api.Response activate(String name, int version) {
        return api.post("/api/v1/policies/" + name + "/activate?version=" + version, null);
    }

    /** A board labelled {@code ptest=tag} that has a temperature sensor; returns its id. */
    String taggedNode(String tag) {
        Api.Response r = api.post("/api/v1/nodes", """
                {"name": "%s", "kind": "BOARD", "location": {"lat": 38.19, "lon": 15.55},
                 "labels": {"district": "centro", "ptest": "%s", "sensors": "temperature,pm25"}}"""
                .formatted(uniqueName("pnode"), tag));
        if (r.status() != 201) {
            throw new AssertionError("create node: " + r);
        }
        return r.body().get("id").asText();
    }

    JsonNode desired(String id) {
        return api.get("/api/v1/nodes/" + id + "/desired").body();
    }

    Map<String, Integer> activeVersions() {
        return JSON.convertValue(api.get("/api/v1/policy-activation").body().get("active"),
                JSON.getTypeFactory().constructMapType(Map.class, String.class, Integer.class));
    }
}
