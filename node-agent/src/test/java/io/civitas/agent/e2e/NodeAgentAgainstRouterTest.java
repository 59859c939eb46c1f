package io.civitas.agent.e2e;

import io.civitas.agent.AgentConfig;
import io.civitas.agent.AgentException;
import io.civitas.agent.NodeAgent;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.Protocol;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.SensorReading;
import io.civitas.protocol.Sensors;
import io.civitas.protocol.WampUris;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ws.wamp.jawampa.ApplicationError;

import java.net.URI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A real agent against a real Jawampa router over a real WebSocket on localhost. */
@Timeout(120) // a hang in a WebSocket or router close must fail the build, not stall it
class NodeAgentAgainstRouterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path stateDir;

    private FakeController controller;
    private final List<NodeAgent> agents = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        controller = new FakeController();
        controller.startRouter();
    }

    @AfterEach
    void tearDown() {
        agents.forEach(NodeAgent::close);
        controller.close();
    }

    private NodeAgent agent(List<URI> controllers, String token) {
        AgentConfig config = new AgentConfig(controllers, token, stateDir,
                Set.of(Sensors.PM25, Sensors.NO2, Sensors.TEMPERATURE), Duration.ofMillis(100), Duration.ofMillis(800));
        NodeAgent agent = new NodeAgent(config);
        agents.add(agent);
        return agent;
    }

    private AppliedState apply(DesiredState desired) {
        return controller.session().call(WampUris.apply("board_1"), AppliedState.class, desired)
                .timeout(5, TimeUnit.SECONDS).toBlocking().single();
    }

    @Test
    void enrollsJoinsSaysHelloAnswersApplyAndPingAndPublishesTelemetry() throws Exception {
        NodeAgent agent = agent(List.of(controller.baseUrl()), "token-1");
        agent.start();

        await().atMost(WAIT).until(agent::isConnected);
        assertThat(agent.nodeId()).isEqualTo("board_1");
        assertThat(agent.controller()).isEqualTo(controller.baseUrl());
        assertThat(controller.enrollments).singleElement()
                .satisfies(e -> assertThat(e.token()).isEqualTo("token-1"))
                .satisfies(e -> assertThat(e.protocolVersion()).isEqualTo(Protocol.VERSION));
        Path credential = stateDir.resolve("credential.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credential))).isEqualTo("rw-------");
        AgentHello hello = controller.hellos.get(0);
        assertThat(hello.nodeId()).isEqualTo("board_1");
        assertThat(hello.protocolVersion()).isEqualTo(Protocol.VERSION);
        assertThat(hello.appliedGeneration()).isZero();
        assertThat(hello.inventory().interfaces()).extracting(i -> i.name()).contains("lo");
        assertThat(hello.inventory().javaVersion()).isEqualTo(System.getProperty("java.version"));

        AppliedState applied = apply(new DesiredState("board_1", 1, Map.of("district", "centro"),
                List.of(new SamplingPlan(Sensors.PM25, 100))));
        assertThat(applied.nodeId()).isEqualTo("board_1");
        assertThat(applied.generation()).isEqualTo(1);
        assertThat(agent.appliedGeneration()).isEqualTo(1);
        assertThat(agent.appliedState()).isEqualTo(applied);

        String echo = controller.session().call(WampUris.ping("board_1"), String.class, "are you there")
                .timeout(5, TimeUnit.SECONDS).toBlocking().single();
        assertThat(echo).isEqualTo("are you there");

        List<SensorReading> readings = new CopyOnWriteArrayList<>();
        controller.session().makeSubscription(WampUris.telemetry("board_1"), SensorReading.class)
                .subscribe(readings::add);
        await().atMost(WAIT).until(() -> !readings.isEmpty());
        assertThat(readings.get(0).nodeId()).isEqualTo("board_1");
        assertThat(readings.get(0).sensor()).isEqualTo(Sensors.PM25);
        assertThat(readings.get(0).value()).isBetween(5.0, 80.0);
    }

    @Test
    void applyWithASensorTheNodeDoesNotHaveIsRefusedWithInvalidArgument() {
        NodeAgent agent = agent(List.of(controller.baseUrl()), "token-1");
        agent.start();
        await().atMost(WAIT).until(agent::isConnected);

        // Rx's blocking call wraps the WAMP error in a RuntimeException.
        assertThatThrownBy(() -> apply(new DesiredState("board_1", 1, Map.of(),
                List.of(new SamplingPlan(Sensors.PARKING, 1000)))))
                .cause().isInstanceOf(ApplicationError.class)
                .satisfies(e -> assertThat(((ApplicationError) e).uri()).isEqualTo(WampUris.ERROR_INVALID_ARGUMENT))
                .satisfies(e -> assertThat(((ApplicationError) e).arguments().get(0).asText()).contains("parking"));
        assertThat(agent.appliedGeneration()).isZero();
    }

    @Test
    void reconnectsAfterTheRouterRestartsAndReportsTheGenerationItApplied() throws Exception {
        NodeAgent agent = agent(List.of(controller.baseUrl()), "token-1");
        agent.start();
        await().atMost(WAIT).until(agent::isConnected);
        apply(new DesiredState("board_1", 3, Map.of(), List.of(new SamplingPlan(Sensors.NO2, 500))));

        controller.stopRouter();
        await().atMost(WAIT).until(() -> !agent.isConnected());
        controller.startRouter();

        await().atMost(WAIT).until(agent::isConnected);
        assertThat(controller.hellos).hasSize(2);
        assertThat(controller.hellos.get(1).appliedGeneration()).isEqualTo(3);
        assertThat(controller.enrollments).hasSize(1); // the credential is reused, not re-enrolled
        assertThat(apply(new DesiredState("board_1", 4, Map.of(), List.of())).generation()).isEqualTo(4);
    }

    @Test
    void aRestartedAgentReusesItsCredentialAndResumesItsGeneration() {
        NodeAgent first = agent(List.of(controller.baseUrl()), "token-1");
        first.start();
        await().atMost(WAIT).until(first::isConnected);
        apply(new DesiredState("board_1", 2, Map.of(), List.of(new SamplingPlan(Sensors.TEMPERATURE, 1000))));
        first.close();

        NodeAgent second = agent(List.of(controller.baseUrl()), null);
        second.start();

        assertThat(second.appliedGeneration()).isEqualTo(2); // known before any connection
        await().atMost(WAIT).until(second::isConnected);
        assertThat(controller.enrollments).hasSize(1);
        assertThat(controller.hellos.get(controller.hellos.size() - 1).appliedGeneration()).isEqualTo(2);
    }

    @Test
    void aPushOfAnOlderMastershipEpochIsRefusedWithStaleEpochAndTheHighestSurvivesARestart() {
        NodeAgent first = agent(List.of(controller.baseUrl()), "token-1");
        first.start();
        await().atMost(WAIT).until(first::isConnected);
        assertThat(apply(desired(1, "centro"), 500).generation()).isEqualTo(1);

        assertThatThrownBy(() -> apply(desired(2, "stale"), 499))
                .cause().isInstanceOf(ApplicationError.class)
                .satisfies(e -> assertThat(((ApplicationError) e).uri()).isEqualTo(WampUris.ERROR_STALE_EPOCH))
                .satisfies(e -> assertThat(((ApplicationError) e).keywordArguments().get("heldEpoch").asLong()).isEqualTo(500))
                .satisfies(e -> assertThat(((ApplicationError) e).keywordArguments().get("offeredEpoch").asLong()).isEqualTo(499));
        assertThat(first.appliedGeneration()).isEqualTo(1);
        assertThat(first.appliedDesiredState().labels()).containsEntry("district", "centro");
        assertThat(apply(desired(2, "newer"), 501).generation()).isEqualTo(2);
        first.close();

        NodeAgent second = agent(List.of(controller.baseUrl()), null);
        second.start();
        await().atMost(WAIT).until(second::isConnected);
        assertThatThrownBy(() -> apply(desired(3, "stale"), 500))
                .cause().isInstanceOf(ApplicationError.class)
                .satisfies(e -> assertThat(((ApplicationError) e).uri()).isEqualTo(WampUris.ERROR_STALE_EPOCH));
        assertThat(second.appliedGeneration()).isEqualTo(2);
        assertThat(apply(desired(3, "same"), 501).generation()).isEqualTo(3);
    }

    private static DesiredState desired(long generation, String district) {
        return new DesiredState("board_1", generation, Map.of("district", district), List.of());
    }

    /** A push as a controller makes it: the desired state, and the mastership epoch as a keyword argument. */
    private AppliedState apply(DesiredState desired, long epoch) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        return controller.session().call(WampUris.apply("board_1"), json.createArrayNode().add(json.valueToTree(desired)),
                        json.createObjectNode().put(WampUris.KW_EPOCH, epoch))
                .map(reply -> json.convertValue(reply.arguments().get(0), AppliedState.class))
                .timeout(5, TimeUnit.SECONDS).toBlocking().single();
    }

    @Test
    void anAgentGivenOnlyADiscoveryUrlJoinsAControllerItLists() throws Exception {
        try (FakeController discovery = new FakeController()) { // answers discovery only: no router
            discovery.members.add(URI.create("http://127.0.0.1:" + FakeController.freePort())); // listed but dead
            discovery.members.add(controller.baseUrl());
            AgentConfig config = new AgentConfig(List.of(), "token-1", stateDir, Set.of(Sensors.PM25),
                    Duration.ofMillis(100), Duration.ofMillis(800), null, discovery.baseUrl());
            NodeAgent agent = new NodeAgent(config);
            agents.add(agent);
            agent.start();

            await().atMost(WAIT).until(agent::isConnected);
            assertThat(agent.controller()).isEqualTo(controller.baseUrl());
            assertThat(controller.enrollments).hasSize(1);
        }
    }

    @Test
    void skipsAnUnreachableControllerAndJoinsTheNextOne() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + FakeController.freePort());
        NodeAgent agent = agent(List.of(dead, controller.baseUrl()), "token-1");
        agent.start();

        await().atMost(WAIT).until(agent::isConnected);
        assertThat(agent.controller()).isEqualTo(controller.baseUrl());
    }

    @Test
    void aControllerThatAcceptsTheConnectionButNeverAnswersIsLeftAndTheAgentTriesAgain() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!mute.isClosed()) {
                    try {
                        accepted.add(mute.accept()); // holds the TCP connection, never says a word
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.start();
            controller.bootstrapWampUrl = "ws://127.0.0.1:" + mute.getLocalPort() + "/wamp";
            NodeAgent agent = agent(List.of(controller.baseUrl()), "token-1");
            agent.start();
            await().atMost(WAIT).until(() -> !accepted.isEmpty());

            controller.bootstrapWampUrl = null; // the next attempt finds the real router
            await().atMost(Duration.ofSeconds(60)).until(agent::isConnected);
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void manyFailedAttemptsLeaveNoClientThreadsBehind() throws Exception {
        controller.stopRouter(); // bootstrap answers, the WebSocket is refused: every attempt fails
        AgentConfig config = new AgentConfig(List.of(controller.baseUrl()), "token-1", stateDir, null,
                Duration.ofMillis(10), Duration.ofMillis(40));
        NodeAgent agent = new NodeAgent(config);
        agents.add(agent);
        agent.start();

        Thread.sleep(2000); // dozens of attempts, each with its own WampClient and event loop
        await().atMost(WAIT).until(() -> clientThreads() <= 1);
        controller.startRouter();
        await().atMost(WAIT).until(agent::isConnected);
        assertThat(clientThreads()).isLessThanOrEqualTo(2); // the agent's session and the controller's
    }

    private static long clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("WampClientEventLoop")).count();
    }

    @Test
    void anIncompatibleProtocolStopsTheAgentForGood() throws Exception {
        controller.refuseHello = "agent speaks Civitas protocol 1, this controller accepts 2..2: upgrade the agent";
        NodeAgent agent = agent(List.of(controller.baseUrl()), "token-1");
        agent.start();

        assertThatThrownBy(() -> agent.termination().get(20, TimeUnit.SECONDS))
                .hasCauseInstanceOf(AgentException.class)
                .cause().hasMessageContaining("upgrade the agent")
                .satisfies(e -> assertThat(((AgentException) e).kind())
                        .isEqualTo(AgentException.Kind.INCOMPATIBLE_PROTOCOL));
        Thread.sleep(1000);
        assertThat(controller.hellos).hasSize(1); // no retry
        assertThat(agent.isConnected()).isFalse();
    }

    @Test
    void aRefusedEnrollmentStopsTheAgentWithTheControllersDetail() {
        controller.refuseEnrollment = "enrollment token expired at 2026-11-24T10:00:00Z";
        NodeAgent agent = agent(List.of(controller.baseUrl()), "token-1");
        agent.start();

        assertThatThrownBy(() -> agent.termination().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(AgentException.class)
                .hasMessageContaining("token expired")
                .satisfies(e -> assertThat(((AgentException) e).kind())
                        .isEqualTo(AgentException.Kind.ENROLLMENT_REFUSED));
        assertThat(Files.exists(stateDir.resolve("credential.json"))).isFalse();
    }
}
