package io.civitas.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.agent.AgentConfig;
import io.civitas.agent.NodeAgent;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An agent that knows only a discovery URL, against two controller processes on one ZooKeeper: it joins a live
 * member, and when that member is killed (kill -9) it finds the other through discovery (or, when the member it
 * asked is the one that died, through the list discovery gave before) and the new master's pushes reach it.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AgentDiscoveryE2eTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration WAIT = Duration.ofSeconds(120);

    private Path dir;
    private TestingServer zookeeper;
    private final List<ControllerJvm> controllers = new ArrayList<>();
    private NodeAgent agent;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        for (ControllerJvm c : controllers) {
            c.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
        System.out.println("discovery test logs in " + dir);
    }

    @Test
    void anAgentWithOnlyADiscoveryUrlJoinsAMemberAndAnotherAfterThatOneDies() throws Exception {
        dir = Files.createTempDirectory("civitas-discovery-test");
        zookeeper = new TestingServer(true);
        ControllerJvm c1 = new ControllerJvm("c1", dir, zookeeper.getConnectString(), SESSION_TIMEOUT).start();
        controllers.add(c1);
        awaitUp(c1); // first alone: it makes the admin token the other reads from ZooKeeper
        ControllerJvm c2 = new ControllerJvm("c2", dir, zookeeper.getConnectString(), SESSION_TIMEOUT).start();
        controllers.add(c2);
        awaitUp(c2);
        Rest api = new Rest(c1.base(), Files.readString(c1.dataDir.resolve("admin-token")).trim());
        await("both members listed").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> api.get("/api/v1/cluster/members").body().get("members").size() == 2);

        Rest.Response created = api.send("POST", "/api/v1/nodes", "{\"name\":\"board-d\",\"kind\":\"BOARD\","
                + "\"location\":{\"lat\":38.19,\"lon\":15.55},\"labels\":{\"district\":\"centro\"}}");
        assertThat(created.status()).as("create node: %s", created.body()).isEqualTo(201);
        String nodeId = created.body().get("id").asText();
        agent = new NodeAgent(new AgentConfig(List.of(), created.body().get("enrollmentToken").asText(),
                dir.resolve("agent"), null, Duration.ofMillis(200), Duration.ofSeconds(2), null, c1.base()));
        agent.start();

        await("the agent joins a member").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(agent::isConnected);
        URI first = agent.controller();
        assertThat(first).isIn(c1.base(), c2.base());
        ControllerJvm victim = first.equals(c1.base()) ? c1 : c2;
        ControllerJvm survivor = victim == c1 ? c2 : c1;
        victim.kill();

        await("the agent joins the other member").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> agent.isConnected() && survivor.base().equals(agent.controller()));

        // The new master's push carries its newer mastership epoch: the agent takes it.
        Rest survivorApi = new Rest(survivor.base(), Files.readString(c1.dataDir.resolve("admin-token")).trim());
        assertThat(survivorApi.send("PUT", "/api/v1/nodes/" + nodeId + "/desired",
                "{\"labels\":{\"after\":\"failover\"}}").status()).isEqualTo(200);
        await("the survivor's push is applied").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> agent.appliedDesiredState() != null
                        && "failover".equals(agent.appliedDesiredState().labels().get("after")));
        JsonNode node = survivorApi.get("/api/v1/nodes/" + nodeId).body();
        assertThat(node.get("generationGap").asLong()).isZero();
    }

    private static void awaitUp(ControllerJvm c) {
        await(c.id + " UP").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!c.alive()) {
                        throw new AssertionError(c.id + " exited; see " + c.log());
                    }
                    return c.up();
                });
    }
}
