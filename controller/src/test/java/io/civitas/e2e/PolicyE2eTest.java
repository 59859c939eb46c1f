package io.civitas.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.agent.AgentConfig;
import io.civitas.agent.NodeAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Policies end to end: a real agent; activating a policy version changes what the agent runs (the PM2.5
 * readings it starts publishing), activating another stops them, and rolling back brings them back.
 */
class PolicyE2eTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SECONDS = Duration.ofSeconds(20);
    @TempDir
    Path tmp;
    private ControllerProcess controller;
    private NodeAgent agent;

    @AfterEach
    void stopAll() {
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void activatingAPolicyChangesWhatTheAgentRunsAndRollbackRestoresIt() throws Exception {
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        CityApi api = new CityApi(controller.base(), controller.adminToken());
        CityApi.Response created = api.post("/api/v1/nodes", """
                {"name":"board-air","kind":"BOARD","location":{"lat":38.19,"lon":15.55},
                 "labels":{"district":"Centro","sensors":"pm25,temperature"}}""");
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("id").asText();
        agent = new NodeAgent(AgentConfig.of(List.of(controller.base()), created.body().get("enrollmentToken").asText(),
                tmp.resolve("agent")).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
        agent.start();
        api.put("/api/v1/nodes/" + id + "/desired", "{\"sampling\":[{\"sensor\":\"temperature\",\"periodMillis\":300}]}");
        awaitApplied(api, id);
        assertThat(readings(api, id).has("pm25")).isFalse();

        int v1 = push(api, "air", "env-net", true);
        int v2 = push(api, "air", "quiet-net", false);

        // v1: the board joins env-net and samples PM2.5 every 200 ms: its readings appear.
        assertThat(api.post("/api/v1/policies/air/activate?version=" + v1, null).status()).isEqualTo(200);
        JsonNode withV1 = api.get("/api/v1/nodes/" + id + "/desired").body();
        assertThat(withV1.get("overlays").get(0).asText()).isEqualTo("env-net");
        awaitApplied(api, id);
        assertThat(agent.appliedDesiredState().overlays()).containsExactly("env-net");
        await().atMost(SECONDS).until(() -> readings(api, id).has("pm25"));

        // v2: no PM2.5 sampling any more: the readings stop.
        assertThat(api.post("/api/v1/policies/air/activate?version=" + v2, null).status()).isEqualTo(200);
        awaitApplied(api, id);
        Thread.sleep(500);
        long stoppedAt = readings(api, id).get("pm25").get("timeMillis").asLong();
        Thread.sleep(1_000);
        assertThat(readings(api, id).get("pm25").get("timeMillis").asLong()).isEqualTo(stoppedAt);
        assertThat(api.get("/api/v1/nodes/" + id + "/desired").body().get("overlays").get(0).asText())
                .isEqualTo("quiet-net");

        // Rollback to v1: the same desired state as before (a newer generation), and PM2.5 flows again.
        assertThat(api.post("/api/v1/policies/air/activate?version=" + v1, null).status()).isEqualTo(200);
        JsonNode rolledBack = api.get("/api/v1/nodes/" + id + "/desired").body();
        assertThat(rolledBack.get("overlays")).isEqualTo(withV1.get("overlays"));
        assertThat(rolledBack.get("sampling")).isEqualTo(withV1.get("sampling"));
        assertThat(rolledBack.get("generation").asLong()).isGreaterThan(withV1.get("generation").asLong());
        awaitApplied(api, id);
        await().atMost(SECONDS).until(() -> readings(api, id).get("pm25").get("timeMillis").asLong() > stoppedAt);
    }

    /** A policy for boards of Centro: join {@code overlay}; sample PM2.5 every 200 ms when {@code pm25}. */
    private static int push(CityApi api, String name, String overlay, boolean pm25) throws Exception {
        String drl = """
                package civitas.e2e;
                rule "boards of Centro join %s"
                when
                    $n : Node( kind == "BOARD", district == "centro" )
                then
                    insertLogical(new OverlayMembership($n.getId(), "%s"));
                    %s
                end
                """.formatted(overlay, overlay,
                pm25 ? "insertLogical(new SamplingPlan($n.getId(), \"pm25\", 200L));" : "");
        ObjectNode body = JSON.createObjectNode().put("name", name);
        body.putArray("files").addObject().put("path", "air.drl").put("text", drl);
        CityApi.Response r = api.post("/api/v1/policies", body.toString());
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(201);
        return r.body().get("version").asInt();
    }

    private void awaitApplied(CityApi api, String id) {
        await().atMost(SECONDS).until(() -> {
            long want = api.get("/api/v1/nodes/" + id + "/desired").body().get("generation").asLong();
            return agent.appliedGeneration() == want && api.node(id).get("appliedGeneration").asLong() == want;
        });
    }

    private static JsonNode readings(CityApi api, String id) throws Exception {
        return api.get("/api/v1/nodes/" + id + "/reported").body().get("readings");
    }
}
