package io.civitas.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.agent.NodeAgent;
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

    private static JsonNode desired(CityApi api, String id) throws Exception {
        return api.get("/api/v1/nodes/" + id + "/desired").body();
    }

    private static JsonNode readings(CityApi api, String id) throws Exception {
        return api.get("/api/v1/nodes/" + id + "/reported").body().path("readings");
    }
}
