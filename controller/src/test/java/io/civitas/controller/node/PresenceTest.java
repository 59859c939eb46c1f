package io.civitas.controller.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.ApiTestBase;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.Inventory;
import io.civitas.protocol.NetworkInterfaceInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Status follows the agent's WAMP session as the router reports it, never polling. */
class PresenceTest extends ApiTestBase {

    @Test
    void joinedSessionMakesTheNodeOnline() {
        String id = createNode(uniqueName("online")).get("id").asText();

        agentEvents.sessionJoined(id, 101, "10.0.0.7:51234");

        JsonNode node = api.get("/api/v1/nodes/" + id).body();
        assertThat(node.get("status").asText()).isEqualTo("ONLINE");
        assertThat(node.get("session").get("controllerId").asText()).isEqualTo("test-controller");
        assertThat(node.get("session").get("remoteAddress").asText()).isEqualTo("10.0.0.7:51234");
        assertThat(node.get("session").get("since").asText()).isNotBlank();
        assertThat(node.get("lastSeen").asText()).isNotBlank();
        agentEvents.sessionLeft(id, 101);
    }

    @Test
    void leaveOfAStaleSessionDoesNotMarkTheNodeOffline() {
        String id = createNode(uniqueName("reconnect")).get("id").asText();
        agentEvents.sessionJoined(id, 1, "10.0.0.8:1000");
        agentEvents.sessionJoined(id, 2, "10.0.0.8:1001"); // the agent reconnected before the old leave

        agentEvents.sessionLeft(id, 1);

        JsonNode node = api.get("/api/v1/nodes/" + id).body();
        assertThat(node.get("status").asText()).isEqualTo("ONLINE");
        assertThat(node.get("session").get("remoteAddress").asText()).isEqualTo("10.0.0.8:1001");

        agentEvents.sessionLeft(id, 2);

        node = api.get("/api/v1/nodes/" + id).body();
        assertThat(node.get("status").asText()).isEqualTo("OFFLINE");
        assertThat(node.get("session").isNull()).isTrue();
        assertThat(node.get("lastSeen").asText()).isNotBlank();
        assertThat(znodeExists("/presence/" + id)).isFalse();
    }

    @Test
    void presenceIsAnEphemeralZnodeOfThisControllersSession() throws Exception {
        String id = createNode(uniqueName("ephemeral")).get("id").asText();

        agentEvents.sessionJoined(id, 7, "10.0.0.9:2000");

        long owner = zk.checkExists().forPath("/presence/" + id).getEphemeralOwner();
        assertThat(owner).isEqualTo(zk.getZookeeperClient().getZooKeeper().getSessionId());
        agentEvents.sessionLeft(id, 7);
    }

    @Test
    void helloStoresInventoryProtocolAndAppliedGeneration() {
        String id = createNode(uniqueName("hello")).get("id").asText();
        Inventory inventory = new Inventory("board-7", "aarch64", "Linux", "6.1.0", "17.0.12", "0.1.0",
                List.of(new NetworkInterfaceInfo("eth0", "02:00:00:00:00:07", List.of("10.0.0.7/24"), true)));
        agentEvents.sessionJoined(id, 42, "10.0.0.7:4000");

        agentEvents.helloReceived(id, 42, new AgentHello(id, 1, inventory, 0));

        JsonNode node = api.get("/api/v1/nodes/" + id).body();
        assertThat(node.get("inventory").get("hostname").asText()).isEqualTo("board-7");
        assertThat(node.get("inventory").get("interfaces").get(0).get("addresses").get(0).asText()).isEqualTo("10.0.0.7/24");
        assertThat(node.get("protocolVersion").asInt()).isEqualTo(1);
        assertThat(node.get("appliedGeneration").asLong()).isZero();
        agentEvents.sessionLeft(id, 42);
    }

    @Test
    void eventsOfUnknownNodesChangeNothing() {
        agentEvents.sessionJoined("nffffffffffff", 5, "10.0.0.1:1");
        agentEvents.sessionLeft("nffffffffffff", 5);
        agentEvents.sessionJoined("../../etc", 5, "10.0.0.1:1");

        assertThat(znodeExists("/presence/nffffffffffff")).isFalse();
        assertThat(agentEvents.verifyCredential("nffffffffffff", "anything")).isFalse();
        assertThat(agentEvents.verifyCredential("../x", "anything")).isFalse();
    }
}
