package io.civitas.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.civitas.agent.NodeAgent;
import io.civitas.controller.wamp.RawWampClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The one loop, end to end: a controller with embedded ZooKeeper, real agents as WAMP sessions over
 * real WebSockets, enrolled through REST; desired state pushed until applied; presence; a restart.
 */
class WalkingSkeletonE2eTest extends SingleControllerE2e {

    private static final Duration SECONDS = Duration.ofSeconds(15);

    @Test
    void agentsEnrollApplyDesiredStateGoOfflineAndSurviveAControllerRestart() throws Exception {
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        String adminToken = controller.adminToken();
        CityApi api = new CityApi(controller.base(), adminToken);

        NodeAgent board = agent(api.createNode("board-1", "BOARD"), "board-1");
        NodeAgent vm = agent(api.createNode("vmhost-1", "VM"), "vmhost-1");
        await().atMost(SECONDS).until(() -> board.nodeId() != null && vm.nodeId() != null);
        String boardId = board.nodeId();
        String vmId = vm.nodeId();
        await().atMost(SECONDS).until(() -> "ONLINE".equals(api.status(boardId)) && "ONLINE".equals(api.status(vmId)));

        // The agent stored its credential privately, and reported its inventory on connect.
        assertThat(Files.getPosixFilePermissions(tmp.resolve("board-1/credential.json")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        await().atMost(SECONDS).until(() -> api.node(boardId).path("inventory").has("hostname"));
        JsonNode inventory = api.node(boardId).get("inventory");
        assertThat(inventory.get("javaVersion").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(inventory.get("interfaces").size()).isPositive();

        // A desired state is pushed until the agent reports it applied; readings follow the plan.
        CityApi.Response put = api.put("/api/v1/nodes/" + boardId + "/desired",
                "{\"labels\":{\"zone\":\"a\"},\"sampling\":[{\"sensor\":\"pm25\",\"periodMillis\":200}]}");
        assertThat(put.status()).isEqualTo(200);
        long generation = put.body().get("generation").asLong();
        await().atMost(SECONDS).until(() -> api.node(boardId).get("appliedGeneration").asLong() == generation);
        assertThat(api.node(boardId).get("generationGap").asLong()).isZero();
        assertThat(board.appliedGeneration()).isEqualTo(generation);
        await().atMost(SECONDS).until(() -> api.get("/api/v1/nodes/" + boardId + "/reported").body()
                .path("readings").has("pm25"));

        // An agent that dies goes offline through session presence.
        vm.close();
        await().atMost(SECONDS).until(() -> "OFFLINE".equals(api.status(vmId)));
        assertThat(api.status(boardId)).isEqualTo("ONLINE");

        // Restart: nodes, credentials and desired state survive; the agent rejoins by itself.
        controller.close();
        await().atMost(SECONDS).until(() -> !board.isConnected());
        controller.start();
        assertThat(controller.adminToken()).isEqualTo(adminToken);
        await().atMost(SECONDS).until(() -> "ONLINE".equals(api.status(boardId)));
        assertThat(api.status(vmId)).isEqualTo("OFFLINE");
        assertThat(api.get("/api/v1/nodes").body().size()).isEqualTo(2);
        assertThat(api.get("/api/v1/nodes/" + boardId + "/desired").body().get("generation").asLong()).isEqualTo(generation);

        CityApi.Response next = api.put("/api/v1/nodes/" + boardId + "/desired",
                "{\"labels\":{\"zone\":\"b\"},\"sampling\":[]}");
        await().atMost(SECONDS).until(() -> board.appliedGeneration() == next.body().get("generation").asLong());
        await().atMost(SECONDS).until(() -> api.node(boardId).get("generationGap").asLong() == 0);
    }

    @Test
    void aSessionWithARealCredentialStillCannotActAsAnotherNode() throws Exception {
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        CityApi api = new CityApi(controller.base(), controller.adminToken());
        NodeAgent first = agent(api.createNode("board-1", "BOARD"), "board-1");
        NodeAgent second = agent(api.createNode("board-2", "BOARD"), "board-2");
        await().atMost(SECONDS).until(() -> first.isConnected() && second.isConnected());

        // The intruder holds board-1's real credential; board-1's own agent is stopped, else the two
        // sessions would keep replacing each other.
        first.close();
        await().atMost(SECONDS).until(() -> "OFFLINE".equals(api.status(first.nodeId())));
        JsonNode credential = new ObjectMapper().readTree(tmp.resolve("board-1/credential.json").toFile());
        URI wamp = URI.create(api.get("/api/v1/agent/bootstrap").body().get("wampUrl").asText());
        try (RawWampClient intruder = new RawWampClient(wamp)) {
            assertThat(intruder.join(first.nodeId(), credential.get("secret").asText()).get(0).asInt())
                    .as("WELCOME").isEqualTo(2);
            intruder.send("[64,1,{},\"city.node." + second.nodeId() + ".apply\"]");
            JsonNode error = intruder.next();
            assertThat(error.get(0).asInt()).as("ERROR").isEqualTo(8);
            assertThat(error.get(4).asText()).isEqualTo("wamp.error.not_authorized");
        }
        // The other node's agent is untouched and still takes desired state.
        CityApi.Response put = api.put("/api/v1/nodes/" + second.nodeId() + "/desired", "{\"labels\":{\"k\":\"v\"}}");
        await().atMost(SECONDS).until(() -> second.appliedGeneration() == put.body().get("generation").asLong());
    }

    @Test
    void missingOrWrongCredentialIsRefusedAndTheNodeStaysOffline() throws Exception {
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        CityApi api = new CityApi(controller.base(), controller.adminToken());
        NodeAgent agent = agent(api.createNode("board-1", "BOARD"), "board-1");
        await().atMost(SECONDS).until(agent::isConnected);
        String id = agent.nodeId();
        agent.close();
        await().atMost(SECONDS).until(() -> "OFFLINE".equals(api.status(id)));

        URI wamp = URI.create(api.get("/api/v1/agent/bootstrap").body().get("wampUrl").asText());
        try (RawWampClient wrong = new RawWampClient(wamp)) {
            JsonNode abort = wrong.join(id, "not-the-credential");
            assertThat(abort.get(0).asInt()).as("ABORT").isEqualTo(3);
            assertThat(abort.get(2).asText()).isEqualTo("wamp.error.authentication_failed");
        }
        try (RawWampClient none = new RawWampClient(wamp)) {
            none.send("[1,\"civitas\",{\"authid\":\"" + id + "\",\"roles\":{\"caller\":{}}}]");
            assertThat(none.next().get(2).asText()).isEqualTo("wamp.error.no_auth_method");
        }
        assertThat(api.status(id)).isEqualTo("OFFLINE");
    }
}
