package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.agent.AgentEvents;
import io.civitas.controller.agent.StaleEpochException;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.SensorReading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import ws.wamp.jawampa.WampRouterBuilder;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The WAMP endpoint as agents meet it: ticket authentication, per-node authorization, hello, presence. */
class SessionGateTest {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<String, String> credentials = Map.of("n1", "secret-one", "n2", "secret-two");
    private WampServer server;
    private ControllerSession controller;
    private URI uri;

    @BeforeEach
    void start() throws Exception {
        AgentEvents recorder = new AgentEvents() {
            @Override
            public boolean verifyCredential(String nodeId, String secret) {
                return secret.equals(credentials.get(nodeId));
            }

            @Override
            public void sessionJoined(String nodeId, long sessionId, String remoteAddress) {
                events.add("joined " + nodeId);
            }

            @Override
            public void helloReceived(String nodeId, long sessionId, AgentHello hello) {
                events.add("hello " + nodeId + " v" + hello.protocolVersion());
            }

            @Override
            public void sessionLeft(String nodeId, long sessionId) {
                events.add("left " + nodeId);
            }

            @Override
            public void readingReceived(String nodeId, SensorReading reading) {
                events.add("reading " + nodeId + " " + reading.sensor() + " " + reading.nodeId());
            }
        };
        var router = new WampRouterBuilder().addRealm("civitas").build();
        NodeSessions sessions = new NodeSessions(recorder);
        controller = new ControllerSession(router, sessions, "test-controller", Duration.ofSeconds(2));
        server = new WampServer(router, sessions, controller, "127.0.0.1", 0, Duration.ofSeconds(20), null);
        server.start();
        uri = URI.create("ws://127.0.0.1:" + server.port() + "/wamp");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        controller.close();
    }

    @Test
    void negotiatesTheStandardJsonSubprotocol() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            assertThat(client.subprotocol()).isEqualTo("wamp.2.json");
        }
    }

    @Test
    void validTicketIsWelcomedAndReportedAsJoined() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            JsonNode welcome = client.join("n1", "secret-one");
            assertThat(welcome.get(0).asInt()).isEqualTo(2);
            assertThat(welcome.get(2).get("authid").asText()).isEqualTo("n1");
            await().atMost(5, TimeUnit.SECONDS).until(() -> events.contains("joined n1"));
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> events.contains("left n1"));
    }

    @Test
    void wrongTicketIsAbortedAndNothingJoins() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            JsonNode abort = client.join("n1", "secret-two");
            assertThat(abort.get(0).asInt()).isEqualTo(3);
            assertThat(abort.get(2).asText()).isEqualTo("wamp.error.authentication_failed");
            assertThat(client.closed.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(events).isEmpty();
    }

    @Test
    void unknownNodeIsAborted() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            assertThat(client.join("n9", "anything").get(2).asText()).isEqualTo("wamp.error.authentication_failed");
        }
        assertThat(events).isEmpty();
    }

    @Test
    void helloWithoutTicketIsAborted() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            client.send("[1,\"civitas\",{\"roles\":{\"caller\":{}}}]");
            JsonNode abort = client.next();
            assertThat(abort.get(0).asInt()).isEqualTo(3);
            assertThat(abort.get(2).asText()).isEqualTo("wamp.error.no_auth_method");
        }
    }

    @Test
    void sessionCannotRegisterAnotherNodesProcedure() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            client.join("n1", "secret-one");
            client.send("[64,1,{},\"city.node.n2.apply\"]");
            JsonNode error = client.next();
            assertThat(error.get(0).asInt()).isEqualTo(8);
            assertThat(error.get(1).asInt()).isEqualTo(64);
            assertThat(error.get(4).asText()).isEqualTo("wamp.error.not_authorized");
            client.send("[64,2,{},\"city.node.n1.apply\"]");
            assertThat(client.next().get(0).asInt()).as("REGISTERED").isEqualTo(65);
        }
    }

    @Test
    void sessionCannotPublishOrSubscribeUnderAnotherNode() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            client.join("n1", "secret-one");
            client.send("[16,1,{\"acknowledge\":true},\"city.node.n2.telemetry\",[{\"sensor\":\"pm25\"}]]");
            assertThat(client.next().get(4).asText()).isEqualTo("wamp.error.not_authorized");
            client.send("[32,2,{},\"city.node.n2.telemetry\"]");
            assertThat(client.next().get(4).asText()).isEqualTo("wamp.error.not_authorized");
            client.send("[48,3,{},\"city.node.n2.apply\",[]]");
            assertThat(client.next().get(4).asText()).isEqualTo("wamp.error.not_authorized");
        }
        assertThat(events).noneMatch(e -> e.startsWith("reading"));
    }

    @Test
    void telemetryIsAttributedToThePublishingNode() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            client.join("n1", "secret-one");
            // The reading claims to come from n2; the topic (checked by the gate) says n1.
            client.send("[16,1,{\"acknowledge\":true},\"city.node.n1.telemetry\",[{\"nodeId\":\"n2\",\"sensor\":\"pm25\","
                    + "\"value\":12.5,\"unit\":\"ug/m3\",\"timeMillis\":1}]]");
            assertThat(client.next().get(0).asInt()).as("PUBLISHED").isEqualTo(17);
            await().atMost(5, TimeUnit.SECONDS).until(() -> events.contains("reading n1 pm25 n1"));
        }
    }

    @Test
    void helloNamingAnotherNodeIsRefused() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            client.join("n1", "secret-one");
            client.send("[48,7,{},\"city.controller.hello\",[{\"nodeId\":\"n2\",\"protocolVersion\":1,\"appliedGeneration\":0}]]");
            JsonNode error = client.next();
            assertThat(error.get(0).asInt()).isEqualTo(8);
            assertThat(error.get(4).asText()).isEqualTo("wamp.error.not_authorized");
        }
        assertThat(events).noneMatch(e -> e.startsWith("hello"));
    }

    @Test
    void incompatibleAgentIsRefusedWithTheReason() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            client.join("n1", "secret-one");
            client.send("[48,7,{},\"city.controller.hello\",[{\"nodeId\":\"n1\",\"protocolVersion\":99,\"appliedGeneration\":0}]]");
            JsonNode error = client.next();
            assertThat(error.get(4).asText()).isEqualTo("city.error.incompatible_protocol");
            assertThat(error.get(5).get(0).asText()).contains("protocol 99").contains("upgrade the controller");
            assertThat(client.closed.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(events).noneMatch(e -> e.startsWith("hello"));
        assertThat(controller.isReady("n1")).isFalse();
    }

    @Test
    void controllerCallsTheAgentsApplyAfterHello() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            client.join("n1", "secret-one");
            client.send("[64,1,{},\"city.node.n1.apply\"]");
            long registration = client.next().get(2).asLong();
            assertThat(controller.isReady("n1")).as("not ready before hello").isFalse();
            client.send("[48,2,{},\"city.controller.hello\",[{\"nodeId\":\"n1\",\"protocolVersion\":1,\"appliedGeneration\":0}]]");
            JsonNode result = client.next();
            assertThat(result.get(0).asInt()).as("RESULT").isEqualTo(50);
            assertThat(result.get(3).get(0).get("controllerId").asText()).isEqualTo("test-controller");
            assertThat(controller.isReady("n1")).isTrue();

            CompletableFuture<AppliedState> applied =
                    controller.apply("n1", new DesiredState("n1", 3, Map.of("zone", "a"), List.of()), 42);
            JsonNode invocation = client.next();
            assertThat(invocation.get(0).asInt()).as("INVOCATION").isEqualTo(68);
            assertThat(invocation.get(2).asLong()).isEqualTo(registration);
            assertThat(invocation.get(4).get(0).get("generation").asLong()).isEqualTo(3);
            assertThat(invocation.get(5).get("epoch").asLong()).as("the mastership epoch, for fencing").isEqualTo(42);
            client.send("[70," + invocation.get(1).asLong() + ",{},[{\"nodeId\":\"n1\",\"generation\":3,\"appliedAtMillis\":5}]]");
            assertThat(applied.get(5, TimeUnit.SECONDS)).isEqualTo(new AppliedState("n1", 3, 5));
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> !controller.isReady("n1"));
    }

    @Test
    void theCitysDefaultsGoToEverySubscribedAgentAndTheirAnswersToTheController() throws Exception {
        List<AppliedState> answers = new CopyOnWriteArrayList<>();
        controller.onApplied((node, state) -> answers.add(state));
        try (RawWampClient n1 = new RawWampClient(uri); RawWampClient n2 = new RawWampClient(uri)) {
            n1.join("n1", "secret-one");
            n1.send("[32,1,{},\"city.defaults\"]");
            assertThat(n1.next().get(0).asInt()).as("SUBSCRIBED").isEqualTo(33);
            n1.send("[48,2,{},\"city.controller.hello\",[{\"nodeId\":\"n1\",\"protocolVersion\":1,\"appliedGeneration\":0}]]");
            assertThat(n1.next().get(0).asInt()).as("RESULT").isEqualTo(50);
            joinAndSayHello(n2, "n2", "secret-two"); // an agent that does not take them: pushed its state instead

            assertThat(controller.announce(new SamplingDefaults(3, List.of(new SamplingPlan("pm25", 1000))))
                    .get(5, TimeUnit.SECONDS)).containsExactly("n1");
            JsonNode event = n1.next();
            assertThat(event.get(0).asInt()).as("EVENT").isEqualTo(36);
            assertThat(event.get(4).get(0).get("version").asInt()).isEqualTo(3);
            assertThat(event.get(4).get(0).get("sampling").get(0).get("periodMillis").asLong()).isEqualTo(1000);

            // The answer is attributed to the session's node, whatever it claims.
            n1.send("[16,3,{},\"city.node.n1.applied\",[{\"nodeId\":\"n2\",\"generation\":9,\"appliedAtMillis\":7}]]");
            await().atMost(5, TimeUnit.SECONDS).until(() -> answers.contains(new AppliedState("n1", 9, 7)));
            // Only the controller publishes the city's defaults; no agent answers for another.
            n1.send("[16,4,{\"acknowledge\":true},\"city.defaults\",[{\"version\":99}]]");
            assertThat(n1.next().get(4).asText()).isEqualTo("wamp.error.not_authorized");
            n1.send("[16,5,{\"acknowledge\":true},\"city.node.n2.applied\",[{\"generation\":1}]]");
            assertThat(n1.next().get(4).asText()).isEqualTo("wamp.error.not_authorized");
            n2.send("[48,6,{},\"city.node.n2.nothing\",[]]"); // n2's next message is this call's error, no EVENT
            assertThat(n2.next().get(0).asInt()).isEqualTo(8);
            assertThat(answers).containsExactly(new AppliedState("n1", 9, 7));
        }
    }

    private void joinAndSayHello(RawWampClient client) throws Exception {
        joinAndSayHello(client, "n1", "secret-one");
    }

    private void joinAndSayHello(RawWampClient client, String node, String secret) throws Exception {
        client.join(node, secret);
        client.send("[64,1,{},\"city.node." + node + ".apply\"]");
        assertThat(client.next().get(0).asInt()).as("REGISTERED").isEqualTo(65);
        client.send("[48,2,{},\"city.controller.hello\",[{\"nodeId\":\"" + node
                + "\",\"protocolVersion\":1,\"appliedGeneration\":0}]]");
        assertThat(client.next().get(0).asInt()).as("RESULT").isEqualTo(50);
    }

    @Test
    void agentsErrorReachesTheControllerWithItsUri() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            joinAndSayHello(client);
            CompletableFuture<AppliedState> applied = controller.apply("n1", new DesiredState("n1", 1, Map.of(), List.of()), 42);
            JsonNode invocation = client.next();
            client.send("[8,68," + invocation.get(1).asLong() + ",{},\"wamp.error.invalid_argument\",[\"no such sensor\"]]");
            assertThat(applied).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
                    .withMessageContaining("wamp.error.invalid_argument");
        }
    }

    @Test
    void aStaleEpochRefusalReachesTheControllerAsStaleEpochException() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            joinAndSayHello(client);
            CompletableFuture<AppliedState> applied = controller.apply("n1", new DesiredState("n1", 1, Map.of(), List.of()), 42);
            JsonNode invocation = client.next();
            client.send("[8,68," + invocation.get(1).asLong() + ",{},\"city.error.stale_epoch\",[\"older\"],"
                    + "{\"nodeId\":\"n1\",\"heldEpoch\":50,\"offeredEpoch\":42}]");
            assertThat(applied).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
                    .havingCause().isInstanceOf(StaleEpochException.class)
                    .satisfies(e -> assertThat(((StaleEpochException) e).heldEpoch()).isEqualTo(50))
                    .satisfies(e -> assertThat(((StaleEpochException) e).offeredEpoch()).isEqualTo(42));
        }
    }

    @Test
    void unansweredCallTimesOutAndALateYieldIsHarmless() throws Exception {
        try (RawWampClient client = new RawWampClient(uri)) {
            joinAndSayHello(client);
            CompletableFuture<AppliedState> applied = controller.apply("n1", new DesiredState("n1", 1, Map.of(), List.of()), 42);
            long requestId = client.next().get(1).asLong();
            assertThat(applied).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
                    .withCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            // The late answer finds nobody waiting; the session goes on.
            client.send("[70," + requestId + ",{},[{\"nodeId\":\"n1\",\"generation\":1,\"appliedAtMillis\":5}]]");
            CompletableFuture<AppliedState> next = controller.apply("n1", new DesiredState("n1", 2, Map.of(), List.of()), 42);
            JsonNode invocation = client.next();
            client.send("[70," + invocation.get(1).asLong() + ",{},[{\"nodeId\":\"n1\",\"generation\":2,\"appliedAtMillis\":6}]]");
            assertThat(next.get(5, TimeUnit.SECONDS).generation()).isEqualTo(2);
        }
    }

    @Test
    void callToANodeWithoutSessionFailsAtOnce() {
        assertThat(controller.apply("n2", new DesiredState("n2", 1, Map.of(), List.of()), 42))
                .failsWithin(1, TimeUnit.SECONDS).withThrowableThat()
                .withCauseInstanceOf(io.civitas.controller.agent.AgentUnreachableException.class);
    }

    @Test
    void garbageIsAProtocolViolationThatClosesOnlyThatConnection() throws Exception {
        try (RawWampClient good = new RawWampClient(uri); RawWampClient bad = new RawWampClient(uri)) {
            good.join("n1", "secret-one");
            bad.send("{this is not json");
            JsonNode abort = bad.next();
            assertThat(abort.get(2).asText()).isEqualTo("wamp.error.protocol_violation");
            assertThat(bad.closed.get(5, TimeUnit.SECONDS)).isNotNull();
            good.send("[64,1,{},\"city.node.n1.ping\"]");
            assertThat(good.next().get(0).asInt()).as("REGISTERED").isEqualTo(65);
        }
    }

    @Test
    void newerSessionOfTheSameNodeReplacesTheOlder() throws Exception {
        try (RawWampClient first = new RawWampClient(uri); RawWampClient second = new RawWampClient(uri)) {
            first.join("n1", "secret-one");
            second.join("n1", "secret-one");
            assertThat(first.next().get(0).asInt()).as("GOODBYE").isEqualTo(6);
            assertThat(first.closed.get(5, TimeUnit.SECONDS)).isNotNull();
            second.send("[64,1,{},\"city.node.n1.apply\"]");
            assertThat(second.next().get(0).asInt()).isEqualTo(65);
        }
    }
}
