package io.civitas.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.agent.NodeAgent;
import io.civitas.controller.wamp.RawWampClient;
import io.civitas.protocol.Sensors;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The city's defaults ({@code PUT /api/v1/city/defaults}), end to end: one record, every node's desired state and
 * generation follow it, real agents sample the defaulted sensors they have (and take the state although they lack
 * others), a node's own plan wins, bad input changes nothing, and the record survives a restart.
 */
class CityDefaultsE2eTest extends SingleControllerE2e {

    private static final Duration SECONDS = Duration.ofSeconds(15);
    private static final String DEFAULTS = "/api/v1/city/defaults";

    @Test
    void oneRecordChangesEveryNodesDesiredStateAndTheAgentsSampleWhatTheyHave() throws Exception {
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        CityApi api = new CityApi(controller.base(), controller.adminToken());
        assertThat(api.get(DEFAULTS).body().get("version").asInt()).as("no record yet").isEqualTo(-1);

        // An air-quality board with a plan of its own for pm25, and a parking board without a pm25 sensor.
        NodeAgent air = agent(api.createNode("air-1", "BOARD"), "air-1",
                c -> c.withSensors(Set.of(Sensors.PM25, Sensors.TEMPERATURE)));
        NodeAgent parking = agent(api.createNode("parking-1", "BOARD"), "parking-1",
                c -> c.withSensors(Set.of(Sensors.PARKING, Sensors.TEMPERATURE)));
        await().atMost(SECONDS).until(() -> air.nodeId() != null && parking.nodeId() != null);
        String airId = air.nodeId();
        String parkingId = parking.nodeId();
        long own = api.put("/api/v1/nodes/" + airId + "/desired",
                "{\"sampling\":[{\"sensor\":\"pm25\",\"periodMillis\":60000}]}").body().get("generation").asLong();
        await().atMost(SECONDS).until(() -> air.appliedGeneration() == own);
        long parkingBefore = desired(api, parkingId).get("generation").asLong();
        assertThat(readings(api, parkingId).has("temperature")).isFalse();

        CityApi.Response put = api.put(DEFAULTS, """
                {"sampling": [{"sensor": "pm25", "periodMillis": 300}, {"sensor": "temperature", "periodMillis": 200}]}""");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.body().get("version").asInt()).isZero();
        assertThat(put.body().get("sampling").size()).isEqualTo(2);

        // Every node's desired state carries the defaults one generation up, and every agent applies it.
        JsonNode airDesired = desired(api, airId);
        assertThat(airDesired.get("generation").asLong()).isEqualTo(own + 1);
        assertThat(airDesired.get("samplingDefaults").get(1).get("sensor").asText()).isEqualTo("temperature");
        assertThat(airDesired.get("sampling").get(0).get("periodMillis").asLong()).as("its own plan").isEqualTo(60000);
        assertThat(desired(api, parkingId).get("generation").asLong()).isEqualTo(parkingBefore + 1);
        await().atMost(SECONDS).until(() -> air.appliedGeneration() == own + 1
                && parking.appliedGeneration() == parkingBefore + 1);
        await().atMost(SECONDS).until(() -> api.node(airId).get("generationGap").asLong() == 0
                && api.node(parkingId).get("generationGap").asLong() == 0);
        // The parking board took the state although it has no pm25, and samples its temperature by default.
        await().atMost(SECONDS).until(() -> readings(api, parkingId).has("temperature"));
        assertThat(readings(api, parkingId).has("pm25")).isFalse();
        await().atMost(SECONDS).until(() -> readings(api, airId).has("temperature"));

        // The same record again is no change: no generation rises.
        CityApi.Response same = api.put(DEFAULTS, """
                {"sampling": [{"sensor": "temperature", "periodMillis": 200}, {"sensor": "pm25", "periodMillis": 300}]}""");
        assertThat(same.body().get("version").asInt()).isZero();
        assertThat(desired(api, airId).get("generation").asLong()).isEqualTo(own + 1);

        // Bad input: a clear error naming the field, and nothing changes.
        CityApi.Response unknown = api.put(DEFAULTS, "{\"sampling\": [{\"sensor\": \"humidity\", \"periodMillis\": 1000}]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().get("field").asText()).isEqualTo("sampling[0].sensor");
        CityApi.Response tooFast = api.put(DEFAULTS, "{\"sampling\": [{\"sensor\": \"pm25\", \"periodMillis\": 5}]}");
        assertThat(tooFast.status()).isEqualTo(400);
        assertThat(api.get(DEFAULTS).body().get("version").asInt()).isZero();
        assertThat(desired(api, parkingId).get("generation").asLong()).isEqualTo(parkingBefore + 1);

        // Without the admin token: 401, for reads and writes.
        HttpClient anonymous = HttpClient.newHttpClient();
        for (String method : List.of("GET", "PUT")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(controller.base() + DEFAULTS))
                    .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString("{\"sampling\": []}"))
                    .header("Content-Type", "application/json").build();
            assertThat(anonymous.send(request, HttpResponse.BodyHandlers.discarding()).statusCode())
                    .as(method).isEqualTo(401);
        }

        // Clearing the defaults is a change like any other: generations only rise.
        CityApi.Response cleared = api.put(DEFAULTS, "{\"sampling\": []}");
        assertThat(cleared.body().get("version").asInt()).isEqualTo(1);
        await().atMost(SECONDS).until(() -> parking.appliedGeneration() == parkingBefore + 2);
        assertThat(desired(api, parkingId).get("samplingDefaults").size()).isZero();

        // The record lives in ZooKeeper: a restarted controller has it, and the generations stay where they were.
        controller.close();
        controller.start();
        assertThat(api.get(DEFAULTS).body().get("version").asInt()).isEqualTo(1);
        assertThat(desired(api, parkingId).get("generation").asLong()).isEqualTo(parkingBefore + 2);
        api.put(DEFAULTS, "{\"sampling\": [{\"sensor\": \"parking\", \"periodMillis\": 250}]}");
        await().atMost(SECONDS).until(() -> parking.appliedGeneration() == parkingBefore + 3
                && air.appliedGeneration() == own + 3);
        await().atMost(SECONDS).until(() -> readings(api, parkingId).has("parking"));
    }

    @Test
    void anAgentThatDoesNotTakeTheDefaultsAsAMessageOrCannotUseThemIsPushedItsWholeState() throws Exception {
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        CityApi api = new CityApi(controller.base(), controller.adminToken());
        // Agents speaking raw WAMP: one that does not subscribe (an agent from before the message), one that answers
        // it with a generation below the controller's (here: it had no state to apply it to), one that never answers.
        try (RawAgent older = RawAgent.join(api, controller.wampPort, "older", false);
             RawAgent unable = RawAgent.join(api, controller.wampPort, "unable", true);
             RawAgent silent = RawAgent.join(api, controller.wampPort, "silent", true)) {
            // An answer nobody asked for, above the node's desired generation, is not believed (it would stop pushes).
            unable.wamp.send("[16,9,{},\"city.node." + unable.nodeId + ".applied\",[{\"generation\":99,\"appliedAtMillis\":1}]]");

            assertThat(api.put(DEFAULTS, "{\"sampling\": [{\"sensor\": \"temperature\", \"periodMillis\": 1000}]}")
                    .status()).isEqualTo(200);

            JsonNode pushed = older.next(INVOCATION);
            assertThat(pushed.get(4).get(0).get("generation").asLong()).isEqualTo(1);
            assertThat(pushed.get(4).get(0).get("samplingDefaults").get(0).get("sensor").asText()).isEqualTo("temperature");
            older.applied(pushed);

            JsonNode event = unable.next(EVENT);
            assertThat(event.get(4).get(0).get("version").asInt()).isZero();
            unable.wamp.send("[16,10,{},\"city.node." + unable.nodeId + ".applied\",[{\"generation\":0,\"appliedAtMillis\":1}]]");
            JsonNode thenPushed = unable.next(INVOCATION);
            assertThat(thenPushed.get(4).get(0).get("generation").asLong()).isEqualTo(1);
            unable.applied(thenPushed);

            silent.next(EVENT);
            JsonNode late = silent.next(INVOCATION); // after the grace the others had to answer in
            assertThat(late.get(4).get(0).get("generation").asLong()).isEqualTo(1);
            silent.applied(late);

            for (RawAgent a : List.of(older, unable, silent)) {
                await().atMost(SECONDS).until(() -> api.node(a.nodeId).get("generationGap").asLong() == 0);
                assertThat(api.node(a.nodeId).get("appliedGeneration").asLong()).isEqualTo(1);
            }
        }
    }

    private static final int EVENT = 36;
    private static final int INVOCATION = 68;

    /** An enrolled node's agent in raw WAMP: registers apply, subscribes to the city's defaults or not, says hello. */
    private record RawAgent(String nodeId, RawWampClient wamp) implements AutoCloseable {
        static RawAgent join(CityApi api, int wampPort, String name, boolean takesDefaults) throws Exception {
            String token = api.createNode(name, "BOARD");
            JsonNode enrolled = api.post("/api/v1/enroll", "{\"token\":\"" + token + "\",\"protocolVersion\":1}").body();
            String id = enrolled.get("nodeId").asText();
            RawWampClient wamp = new RawWampClient(URI.create("ws://127.0.0.1:" + wampPort + "/wamp"));
            assertThat(wamp.join(id, enrolled.get("secret").asText()).get(0).asInt()).as("WELCOME").isEqualTo(2);
            wamp.send("[64,1,{},\"city.node." + id + ".apply\"]");
            assertThat(wamp.next().get(0).asInt()).as("REGISTERED").isEqualTo(65);
            if (takesDefaults) {
                wamp.send("[32,2,{},\"city.defaults\"]");
                assertThat(wamp.next().get(0).asInt()).as("SUBSCRIBED").isEqualTo(33);
            }
            wamp.send("[48,3,{},\"city.controller.hello\",[{\"nodeId\":\"" + id
                    + "\",\"protocolVersion\":1,\"appliedGeneration\":0}]]");
            assertThat(wamp.next().get(0).asInt()).as("RESULT of hello").isEqualTo(50);
            return new RawAgent(id, wamp);
        }

        /** The next message, which must be of {@code type}. */
        JsonNode next(int type) throws InterruptedException {
            JsonNode m = wamp.next();
            assertThat(m.get(0).asInt()).as(m.toString()).isEqualTo(type);
            return m;
        }

        /** Answers an apply INVOCATION: applied. */
        void applied(JsonNode invocation) {
            wamp.send("[70," + invocation.get(1).asLong() + ",{},[{\"nodeId\":\"" + nodeId + "\",\"generation\":"
                    + invocation.get(4).get(0).get("generation").asLong() + ",\"appliedAtMillis\":1}]]");
        }

        @Override
        public void close() {
            wamp.close();
        }
    }

    private static JsonNode desired(CityApi api, String id) throws Exception {
        return api.get("/api/v1/nodes/" + id + "/desired").body();
    }

    private static JsonNode readings(CityApi api, String id) throws Exception {
        return api.get("/api/v1/nodes/" + id + "/reported").body().path("readings");
    }
}
