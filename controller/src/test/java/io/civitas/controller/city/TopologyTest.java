package io.civitas.controller.city;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.controller.TestAgents;
import io.civitas.controller.agent.AgentEvents;
import io.civitas.controller.node.DesiredStates;
import io.civitas.controller.node.PolicyDecisions;
import io.civitas.controller.system.ZkJson;
import io.civitas.protocol.DesiredState;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/topology} and {@code /cluster}, in a controller of its own (no other test's policies
 * can rewrite these nodes' overlays, and its 10,000 nodes burden no one else).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "civitas.controller-id=topology-controller",
        "civitas.wamp.port=0",
        "civitas.reconcile.resync=1h"})
@Import(TestAgents.class)
@DirtiesContext
class TopologyTest {

    private static Path dataDir;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("civitas-topology-test");
        registry.add("civitas.data-dir", dataDir::toString);
    }

    @LocalServerPort
    int port;
    @Autowired
    AgentEvents agentEvents;
    @Autowired
    DesiredStates desiredStates;
    @Autowired
    CuratorFramework zk;
    Api api;

    @BeforeEach
    void connect() throws Exception {
        api = new Api(port, Files.readString(dataDir.resolve("admin-token")).trim());
    }

    @Test
    void listsNodesWithTheirOverlaysAndSessionLinks() {
        String a = create("topo-a", "pm25,no2");
        String b = create("topo-b", "parking");
        String c = create("topo-c", "pm25");
        agentEvents.sessionJoined(a, 11, "10.0.0.1:1");
        List.of(a, b, c).forEach(id -> desiredStates.putDecisions(id,
                new PolicyDecisions(List.of("env-net-" + a), null, null, null, null)));

        await().untilAsserted(() -> {
            JsonNode topology = api.get("/api/v1/topology").body();
            JsonNode nodeA = find(topology.get("nodes"), "id", a);
            assertThat(nodeA.get("status").asText()).isEqualTo("ONLINE");
            assertThat(nodeA.get("controllerId").asText()).isEqualTo("topology-controller");
            assertThat(nodeA.get("district").asText()).isEqualTo("centro");
            assertThat(nodeA.get("location").get("lat").asDouble()).isEqualTo(38.19);
            assertThat(nodeA.get("sensors").toString()).isEqualTo("[\"no2\",\"pm25\"]");
            assertThat(nodeA.get("overlays").toString()).isEqualTo("[\"env-net-" + a + "\"]");
            assertThat(nodeA.get("desiredGeneration").asLong()).isEqualTo(1);
            assertThat(nodeA.get("generationGap").asLong()).isEqualTo(1);
            assertThat(find(topology.get("nodes"), "id", b).get("controllerId").isNull()).isTrue();

            JsonNode overlay = find(topology.get("overlays"), "name", "env-net-" + a);
            List<String> ids = new ArrayList<>(List.of(a, b, c));
            ids.sort(null);
            assertThat(overlay.get("members").toString()).isEqualTo("[\"" + String.join("\",\"", ids) + "\"]");

            String links = topology.get("links").toString();
            assertThat(links).contains("{\"source\":\"topology-controller\",\"target\":\"" + a + "\",\"kind\":\"session\"}");
            for (String member : ids.subList(1, 3)) { // a star around the first member, not a mesh
                assertThat(links).contains("{\"source\":\"" + ids.get(0) + "\",\"target\":\"" + member
                        + "\",\"kind\":\"overlay\",\"overlay\":\"env-net-" + a + "\"}");
            }
            assertThat(links).doesNotContain("\"source\":\"" + ids.get(1) + "\",\"target\":\"" + ids.get(2));
            JsonNode controller = topology.get("controllers").get(0);
            assertThat(controller.get("id").asText()).isEqualTo("topology-controller");
            assertThat(controller.get("leader").asBoolean()).isTrue();
            assertThat(controller.get("restUrl").asText()).isEqualTo("http://localhost:" + port);
        });

        JsonNode cluster = api.get("/api/v1/cluster").body();
        assertThat(cluster.get("leader").asText()).isEqualTo("topology-controller");
        assertThat(cluster.get("members").get(0).get("nodes").asLong()).isGreaterThanOrEqualTo(1);
        agentEvents.sessionLeft(a, 11);
    }

    @Test
    void answersForTenThousandNodes() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 4);
        List<CuratorOp> ops = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String id = "n" + run + String.format("%08x", i);
            String spec = """
                    {"id":"%s","name":"big-%s-%d","kind":"BOARD","location":{"lat":38.1,"lon":15.5},
                     "labels":{"district":"d%d","sensors":"pm25"},"createdAtMillis":0}""".formatted(id, run, i, i % 20);
            ops.add(zk.transactionOp().create().forPath("/nodes/" + id, spec.getBytes(StandardCharsets.UTF_8)));
            ops.add(zk.transactionOp().create().forPath("/nodes/" + id + "/desired",
                    ZkJson.write(new DesiredState(id, 0, Map.of(), List.of(), List.of("big-" + run), List.of()))));
            if (ops.size() >= 500) {
                zk.transaction().forOperations(ops);
                ops.clear();
            }
        }
        await().until(() -> api.get("/api/v1/cluster").status() == 200
                && count(api.get("/api/v1/topology").body().get("nodes"), "big-" + run) == 10_000);

        JsonNode topology = api.get("/api/v1/topology").body();
        JsonNode overlay = find(topology.get("overlays"), "name", "big-" + run);
        assertThat(overlay.get("members").size()).isEqualTo(10_000);
        long overlayLinks = 0;
        for (JsonNode link : topology.get("links")) {
            overlayLinks += ("big-" + run).equals(link.path("overlay").asText()) ? 1 : 0;
        }
        assertThat(overlayLinks).isEqualTo(9_999);
    }

    @Test
    void policyActivationIsStreamed() throws Exception {
        try (EventStreamClient stream = new EventStreamClient(port, Files.readString(dataDir.resolve("admin-token")).trim())) {
            byte[] none = "{\"active\":{}}".getBytes(StandardCharsets.UTF_8);
            if (zk.checkExists().forPath("/policy-activation") == null) {
                zk.create().forPath("/policy-activation", none);
            } else {
                zk.setData().forPath("/policy-activation", none);
            }

            assertThat(stream.await("policy", "{\"active\":{}}", 2000)).isNotNull();
        }
    }

    private String create(String prefix, String sensors) {
        Api.Response r = api.post("/api/v1/nodes", """
                {"name": "%s", "kind": "BOARD", "location": {"lat": 38.19, "lon": 15.55},
                 "labels": {"district": "centro", "sensors": "%s"}}""".formatted(
                prefix + "-" + UUID.randomUUID().toString().substring(0, 8), sensors));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.text("id");
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode item : array) {
            if (value.equals(item.path(field).asText())) {
                return item;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array.size() + " items");
    }

    private static long count(JsonNode nodes, String namePrefix) {
        long n = 0;
        for (JsonNode node : nodes) {
            n += node.path("name").asText().startsWith(namePrefix) ? 1 : 0;
        }
        return n;
    }
}
