package io.civitas.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.agent.AgentConfig;
import io.civitas.agent.NodeAgent;
import io.civitas.protocol.DesiredState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster proven by killing processes: 3 ZooKeeper servers and 3 controllers, each a JVM of its own, and
 * 21 real agents (in this JVM, each its own WAMP session over its own WebSocket, knowing all three controllers).
 * The steps run in order on one cluster: kill -9 a controller that does not lead, then the leader, then stop
 * 2 of the 3 ZooKeeper servers and bring them back. Waits are generous (two shared cores); no timing is asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterFailoverE2eTest {

    private static final int AGENTS = 21;
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration CONVERGE = Duration.ofSeconds(150);

    private Path dir;
    private ZooKeeperQuorum zookeeper;
    private final List<ControllerJvm> controllers = new ArrayList<>();
    private final List<NodeAgent> agents = new ArrayList<>();
    private final List<String> nodeIds = new ArrayList<>();
    private String token;
    private int round;

    @BeforeAll
    void startCluster() throws Exception {
        dir = Files.createTempDirectory("civitas-cluster-test");
        zookeeper = new ZooKeeperQuorum(dir, 3, 500).start();
        await("a ZooKeeper quorum").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(zookeeper::quorum);
        // The first controller makes the admin token; the other two read its hash from ZooKeeper.
        ControllerJvm first = new ControllerJvm("c1", dir, zookeeper.connectString(), SESSION_TIMEOUT).start();
        controllers.add(first);
        awaitUp(first);
        for (String id : List.of("c2", "c3")) {
            controllers.add(new ControllerJvm(id, dir, zookeeper.connectString(), SESSION_TIMEOUT).start());
        }
        controllers.forEach(this::awaitUp);
        token = Files.readString(first.dataDir.resolve("admin-token")).trim();

        Rest api = rest(first);
        String drl = Files.readString(Path.of("..", "policies", "districts", "districts.drl"));
        Rest.Response pushed = api.send("POST", "/api/v1/policies", "{\"name\":\"districts\",\"files\":[{\"path\":"
                + "\"districts.drl\",\"text\":" + Rest.quote(drl) + "}]}");
        assertThat(pushed.status()).as("push policy: %s", pushed.body()).isEqualTo(201);
        assertThat(api.send("POST", "/api/v1/policies/districts/activate", null).status()).isEqualTo(200);

        List<URI> bases = controllers.stream().map(ControllerJvm::base).toList();
        for (int i = 0; i < AGENTS; i++) {
            Rest.Response created = api.send("POST", "/api/v1/nodes", "{\"name\":\"board-" + i + "\",\"kind\":\"BOARD\","
                    + "\"location\":{\"lat\":38.19,\"lon\":15.55},\"labels\":{\"district\":\"centro\"}}");
            assertThat(created.status()).as("create node: %s", created.body()).isEqualTo(201);
            nodeIds.add(created.body().get("id").asText());
            List<URI> order = new ArrayList<>(bases);
            java.util.Collections.rotate(order, -(i % bases.size())); // spread the first connections
            NodeAgent agent = new NodeAgent(new AgentConfig(order, created.body().get("enrollmentToken").asText(),
                    dir.resolve("agent-" + i), null, Duration.ofMillis(200), Duration.ofSeconds(2)));
            agent.start();
            agents.add(agent);
        }
        await("all agents connected").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> agents.stream().allMatch(a -> {
                    // An agent that stopped for good (enrollment refused, say) would never connect: say why now.
                    assertThat(a.termination()).as("agent %s stopped", a.nodeId()).isNotCompletedExceptionally();
                    return a.isConnected();
                }));
    }

    @AfterAll
    void stopCluster() throws Exception {
        agents.forEach(NodeAgent::close);
        for (ControllerJvm c : controllers) {
            c.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
        System.out.println("cluster test logs in " + dir);
    }

    @Test
    @Order(0)
    void aNodeCreatedThroughOneControllerEnrollsAtOnceThroughAnother() throws Exception {
        // Each controller reads from its own ZooKeeper server, which may not yet have applied the creation.
        Rest creator = rest(controllers.get(0));
        for (int i = 0; i < 30; i++) {
            Rest.Response created = creator.send("POST", "/api/v1/nodes", "{\"name\":\"quick-" + i + "\",\"kind\":\"BOARD\"}");
            assertThat(created.status()).as("create node: %s", created.body()).isEqualTo(201);
            String id = created.body().get("id").asText();
            Rest other = rest(controllers.get(1 + i % 2));
            Rest.Response enrolled = other.send("POST", "/api/v1/enroll", "{\"token\":"
                    + Rest.quote(created.body().get("enrollmentToken").asText()) + ",\"protocolVersion\":"
                    + io.civitas.protocol.Protocol.VERSION + "}");
            assertThat(enrolled.status()).as("enroll %s: %s", id, enrolled.body()).isEqualTo(200);
            assertThat(enrolled.body().get("nodeId").asText()).isEqualTo(id);
            assertThat(creator.send("DELETE", "/api/v1/nodes/" + id, null).status()).isEqualTo(204);
        }
    }

    @Test
    @Order(1)
    void theCitysDefaultsWrittenThroughOneControllerReachTheAgentsOfEveryController() throws Exception {
        ControllerJvm writer = live().get(live().size() - 1);
        assertThat(agents.stream().map(NodeAgent::controller).distinct().count())
                .as("agents held by more than one controller").isGreaterThan(1);
        Rest.Response put = rest(writer).send("PUT", "/api/v1/city/defaults",
                "{\"sampling\":[{\"sensor\":\"no2\",\"periodMillis\":450}]}");
        assertThat(put.status()).as("PUT defaults: %s", put.body()).isEqualTo(200);

        await("every agent runs the city's defaults").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> agents.stream().allMatch(a -> a.appliedDesiredState() != null
                        && a.appliedDesiredState().samplingDefaults().equals(
                                List.of(new io.civitas.protocol.SamplingPlan("no2", 450)))));
        await("no generation gap").atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (JsonNode n : rest(live().get(0)).get("/api/v1/nodes").body()) {
                if (n.get("generationGap").asLong() != 0) {
                    return false;
                }
            }
            return true;
        });
        // Every controller serves the same record.
        for (ControllerJvm c : live()) {
            await(c.id + " serves the defaults").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).until(() ->
                    rest(c).get("/api/v1/city/defaults").body().get("version").asInt() == 0);
        }

        // Three different records written at once, one through each controller (each knows version 0): none is
        // lost (each takes a version of its own), and every agent ends with the one written last.
        List<CompletableFuture<Rest.Response>> writes = new ArrayList<>();
        int period = 500;
        for (ControllerJvm c : live()) {
            String body = "{\"sampling\":[{\"sensor\":\"no2\",\"periodMillis\":" + period++ + "}]}";
            writes.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return rest(c).send("PUT", "/api/v1/city/defaults", body);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        for (CompletableFuture<Rest.Response> w : writes) {
            Rest.Response r = w.get(30, TimeUnit.SECONDS);
            assertThat(r.status()).as("concurrent PUT: %s", r.body()).isEqualTo(200);
        }
        // A controller answers GET from its mirror of the record, which may be a moment behind another's write.
        for (ControllerJvm c : live()) {
            await(c.id + " serves the third version: three writes, none lost").atMost(CONVERGE)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> rest(c).get("/api/v1/city/defaults").body().get("version").asInt() == 3);
        }
        JsonNode last = rest(live().get(0)).get("/api/v1/city/defaults").body();
        assertThat(last.get("version").asInt()).as("three writes, three versions").isEqualTo(3);
        long lastPeriod = last.get("sampling").get(0).get("periodMillis").asLong();
        await("every agent runs the last record").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> agents.stream().allMatch(a -> a.appliedDesiredState() != null
                        && a.appliedDesiredState().samplingDefaults().equals(
                                List.of(new io.civitas.protocol.SamplingPlan("no2", lastPeriod)))));
    }

    @Test
    @Order(2)
    void readingsOfAgentsOnOtherControllersReachTheLeader() throws Exception {
        String leader = leaderSeenBy(live().get(0));
        ControllerJvm leading = live().stream().filter(c -> c.id.equals(leader)).findFirst().orElseThrow();
        int i = 0;
        while (leading.base().equals(agents.get(i).controller())) {
            i++;
        }
        String far = agents.get(i).nodeId();
        Rest.Response put = rest(leading).send("PUT", "/api/v1/nodes/" + far + "/desired",
                "{\"sampling\":[{\"sensor\":\"temperature\",\"periodMillis\":300}]}");
        assertThat(put.status()).isEqualTo(200);
        await("the leader knows a reading published on another controller").atMost(CONVERGE)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> rest(leading).get("/api/v1/nodes/" + far + "/reported").body().path("readings").has("temperature"));
    }

    @Test
    @Order(3)
    void killingAControllerRehomesItsAgentsAndAppliesEveryDesiredState() throws Exception {
        int before = writeRound(live().get(0));
        assertThat(before).isEqualTo(AGENTS);
        awaitRoundApplied();

        String leader = leaderSeenBy(live().get(0));
        ControllerJvm victim = live().stream().filter(c -> !c.id.equals(leader))
                .max((a, b) -> Long.compare(held(a), held(b))).orElseThrow();
        long victimAgents = agents.stream().filter(a -> victim.base().equals(a.controller())).count();
        victim.kill();

        // Written right after the kill, through a survivor: must reach every agent, the victim's too.
        int after = writeRound(live().get(0));
        assertThat(after).isEqualTo(AGENTS);
        awaitRoundApplied();
        assertThat(agents).allSatisfy(a -> assertThat(a.controller()).isNotEqualTo(victim.base()));
        assertThat(victimAgents).as("the killed controller held agents").isPositive();
        await("the killed controller leaves the membership").atMost(CONVERGE)
                .until(() -> members(live().get(0)) == 2);
    }

    @Test
    @Order(4)
    void killingTheLeaderElectsANewOneThatGoesOnEvaluatingPolicies() throws Exception {
        String leader = leaderSeenBy(live().get(0));
        ControllerJvm old = live().stream().filter(c -> c.id.equals(leader)).findFirst().orElseThrow();
        old.kill();
        ControllerJvm survivor = live().get(0);
        await("a new leader").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> survivor.id.equals(leaderSeenBy(survivor)));

        // A label change only the policies turn into an overlay: the new leader must evaluate it.
        String moved = nodeIds.get(0);
        Rest.Response patched = rest(survivor).send("PATCH", "/api/v1/nodes/" + moved, "{\"labels\":{\"district\":\"porto\"}}");
        assertThat(patched.status()).isEqualTo(200);
        NodeAgent agent = agents.get(0);
        await("the new leader's decision reaches the agent").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> overlays(agent).contains("district-porto"));
        assertThat(agents.subList(1, AGENTS)).allSatisfy(a -> assertThat(overlays(a)).contains("district-centro"));

        int written = writeRound(survivor);
        assertThat(written).isEqualTo(AGENTS);
        awaitRoundApplied();
    }

    @Test
    @Order(5)
    void losingTheZooKeeperQuorumRefusesWritesServesStaleReadsAndRecovers() throws Exception {
        ControllerJvm survivor = live().get(0);
        Rest api = rest(survivor);
        Map<String, Long> applied = new java.util.HashMap<>();
        agents.forEach(a -> applied.put(a.nodeId(), a.appliedGeneration()));
        zookeeper.kill(1);
        zookeeper.kill(2);

        String write = "{\"labels\":{\"round\":\"lost\"}}";
        await("writes refused with 503").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> api.status("PUT", "/api/v1/nodes/" + nodeIds.get(1) + "/desired", write) == 503);
        Rest.Response refused = api.send("PUT", "/api/v1/nodes/" + nodeIds.get(1) + "/desired", write);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.raw().headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        assertThat(refused.body().get("detail").asText()).contains("lost its ZooKeeper quorum");

        Rest.Response list = api.get("/api/v1/nodes");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.header("Civitas-Stale")).isEqualTo("true");
        assertThat(list.body().size()).isEqualTo(AGENTS);
        Rest.Response one = api.get("/api/v1/nodes/" + nodeIds.get(2));
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.header("Civitas-Stale")).isEqualTo("true");
        Rest.Response cluster = api.get("/api/v1/cluster");
        assertThat(cluster.body().get("stale").asBoolean()).isTrue();
        assertThat(cluster.body().get("health").get("status").asText()).isEqualTo("NO_QUORUM");

        // Fail-static: every agent keeps what it applied.
        Thread.sleep(2 * SESSION_TIMEOUT.toMillis());
        assertThat(agents).allSatisfy(a -> assertThat(a.appliedGeneration()).isEqualTo(applied.get(a.nodeId())));
        assertThat(agents).allSatisfy(a -> assertThat(a.appliedDesiredState().labels())
                .containsEntry("round", Integer.toString(round)));

        zookeeper.start(1);
        zookeeper.start(2);
        await("ZooKeeper quorum back").atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).until(zookeeper::quorum);
        await("writes accepted again").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .until(survivor::up);
        int written = writeRound(survivor);
        assertThat(written).isEqualTo(AGENTS);
        awaitRoundApplied();
        assertThat(api.get("/api/v1/nodes").header("Civitas-Stale")).isNull();
    }

    // --- helpers -----------------------------------------------------------------------------------

    /** Writes desired labels {round: N+1} to every node; returns how many writes were acknowledged. */
    private int writeRound(ControllerJvm via) throws Exception {
        round++;
        Rest api = rest(via);
        int acknowledged = 0;
        for (String id : nodeIds) {
            Rest.Response r = api.send("PUT", "/api/v1/nodes/" + id + "/desired",
                    "{\"labels\":{\"round\":\"" + round + "\"}}");
            acknowledged += r.status() == 200 ? 1 : 0;
        }
        return acknowledged;
    }

    /** Every agent runs the last round's labels, and each node's applied generation equals its desired one. */
    private void awaitRoundApplied() {
        try {
            awaitRoundAppliedOrTimeOut();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            dumpThreads();
            agents.forEach(a -> System.out.println("agent " + a.nodeId() + " connected=" + a.isConnected() + " at "
                    + a.controller() + " applied " + a.appliedGeneration()));
            throw e;
        }
    }

    /** Thread dumps of the live controllers into their logs, for a failure's post-mortem. */
    private void dumpThreads() {
        for (ControllerJvm c : live()) {
            try {
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(c.pid()), "Thread.print").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(c.log().toFile())).start()
                        .waitFor(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private void awaitRoundAppliedOrTimeOut() {
        String want = Integer.toString(round);
        await("round " + round + " applied by every agent").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> agents.stream().allMatch(a -> a.isConnected() && a.appliedDesiredState() != null
                        && want.equals(a.appliedDesiredState().labels().get("round"))));
        await("no generation gap").atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode nodes = rest(live().get(0)).get("/api/v1/nodes").body();
            for (JsonNode n : nodes) {
                if (n.get("generationGap").asLong() != 0 || !"ONLINE".equals(n.get("status").asText())) {
                    return false;
                }
            }
            return nodes.size() == AGENTS;
        });
    }

    private List<ControllerJvm> live() {
        return controllers.stream().filter(ControllerJvm::alive).toList();
    }

    private long held(ControllerJvm c) {
        return agents.stream().filter(a -> c.base().equals(a.controller())).count();
    }

    private String leaderSeenBy(ControllerJvm c) throws Exception {
        JsonNode cluster = rest(c).get("/api/v1/cluster").body();
        return cluster.get("leader").isNull() ? null : cluster.get("leader").asText();
    }

    private int members(ControllerJvm c) throws Exception {
        JsonNode cluster = rest(c).get("/api/v1/cluster").body();
        int live = 0;
        for (JsonNode m : cluster.get("members")) {
            live += m.get("live").asBoolean() ? 1 : 0;
        }
        return live;
    }

    private static List<String> overlays(NodeAgent agent) {
        DesiredState d = agent.appliedDesiredState();
        return d == null ? List.of() : d.overlays();
    }

    private Rest rest(ControllerJvm c) {
        return new Rest(c.base(), Objects.requireNonNull(token, "token"));
    }

    private void awaitUp(ControllerJvm c) {
        await(c.id + " UP").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!c.alive()) {
                        throw new AssertionError(c.id + " exited; see " + c.log());
                    }
                    return c.up();
                });
    }
}
