package io.civitas.controller.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.controller.Api;
import io.civitas.policy.Policies;
import io.civitas.policy.PolicyFile;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.Inventory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo city's policies (../policies) through the controller: each passes its own test cases via
 * {@code POST /policies/test}, and all five active together give demo-like nodes the overlays the demo
 * expects, with sensors recognised from the nodes' sampling plans.
 */
class DemoPoliciesTest extends PolicyTestBase {

    static final Path POLICIES = Path.of("../policies");
    static final List<String> NAMES = List.of("districts", "env-monitoring", "air-quality-alarm", "smart-parking",
            "quarantine");

    @Test
    void everyDemoPolicyPassesItsTestCasesThroughTheApi() throws IOException {
        for (String name : NAMES) {
            push(name);
        }
        for (String name : NAMES) {
            ObjectNode request = (ObjectNode) readTree(body(name));
            request.putArray("tests").addObject().put("file", name + ".cases")
                    .put("text", Files.readString(POLICIES.resolve("tests/" + name + ".cases")));

            Api.Response r = api.post("/api/v1/policies/test", request.toString());

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.body().get("passed").asBoolean()).as(name + ": " + r).isTrue();
            assertThat(r.body().get("cases").size()).isPositive();
        }
    }

    @Test
    void theDemoPoliciesTogetherPlaceDemoLikeNodes() throws IOException {
        for (String name : NAMES) {
            Api.Response r = activate(name, push(name));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
        String air = node("BOARD", "centro", "air-quality", "[{\"sensor\":\"pm25\",\"periodMillis\":2000},"
                + "{\"sensor\":\"no2\",\"periodMillis\":2000},{\"sensor\":\"temperature\",\"periodMillis\":2000}]");
        String parking = node("BOARD", "annunziata", "parking", "[{\"sensor\":\"parking\",\"periodMillis\":1000}]");
        String vm = node("VM", "centro", "video-analytics", "[]");

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(overlays(air)).contains("env-net", "district-centro").doesNotContain("quarantine");
            assertThat(overlays(parking)).contains("parking-net", "district-annunziata");
            assertThat(overlays(vm)).contains("parking-net");
        });
        assertThat(desired(air).get("sampling").toString()).contains("pm25");
    }

    /** A node like the demo city's, whose agent said hello with a current version. */
    private String node(String kind, String district, String role, String sampling) {
        Api.Response r = api.post("/api/v1/nodes", """
                {"name": "%s", "kind": "%s", "labels": {"district": "%s", "role": "%s"}}"""
                .formatted(uniqueName("demo"), kind, district, role));
        String id = r.body().get("id").asText();
        api.put("/api/v1/nodes/" + id + "/desired", "{\"sampling\":" + sampling + "}");
        agentEvents.sessionJoined(id, 1, "10.0.0.9:1");
        agentEvents.helloReceived(id, 1, new AgentHello(id, 1,
                new Inventory("h", "amd64", "Linux", "6", "17", "0.1.0-SNAPSHOT", List.of()), 0));
        return id;
    }

    private List<String> overlays(String id) {
        List<String> out = new ArrayList<>();
        desired(id).get("overlays").forEach(o -> out.add(o.asText()));
        return out;
    }

    private int push(String name) throws IOException {
        Api.Response r = api.post("/api/v1/policies", body(name));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.body().get("version").asInt();
    }

    private static String body(String name) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        ArrayNode files = body.putArray("files");
        for (PolicyFile f : Policies.load(POLICIES.resolve(name))) {
            files.addObject().put("path", f.path()).put("text", f.text());
        }
        return body.toString();
    }
}
