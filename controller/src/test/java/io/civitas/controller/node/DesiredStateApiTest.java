package io.civitas.controller.node;

import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import io.civitas.protocol.SensorReading;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The desired state of a node: validated whole, stored with a generation that rises only on real change. */
class DesiredStateApiTest extends ApiTestBase {

    private static final String SAMPLING = """
            {"labels": {"role": "air"}, "sampling": [{"sensor": "pm25", "periodMillis": 5000},
                                                     {"sensor": "temperature", "periodMillis": 1000}]}""";

    @Test
    void aNewNodeWantsNothingAtGenerationZero() {
        String id = createNode(uniqueName("blank")).get("id").asText();

        Api.Response r = api.get("/api/v1/nodes/" + id + "/desired");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text("nodeId")).isEqualTo(id);
        assertThat(r.body().get("generation").asLong()).isZero();
        assertThat(r.body().get("labels").size()).isZero();
        assertThat(r.body().get("sampling").size()).isZero();
    }

    @Test
    void generationRisesOnlyWhenTheDesiredStateChanges() {
        String id = createNode(uniqueName("gen")).get("id").asText();
        String path = "/api/v1/nodes/" + id + "/desired";

        Api.Response first = api.put(path, SAMPLING);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.body().get("generation").asLong()).isEqualTo(1);
        assertThat(first.body().get("sampling").get(0).get("sensor").asText()).isEqualTo("pm25");
        assertThat(first.body().get("labels").get("role").asText()).isEqualTo("air");

        Api.Response same = api.put(path, """
                {"labels": {"role": "air"}, "sampling": [{"sensor": "temperature", "periodMillis": 1000},
                                                         {"sensor": "pm25", "periodMillis": 5000}]}""");
        assertThat(same.body().get("generation").asLong()).isEqualTo(1);

        Api.Response changed = api.put(path, """
                {"labels": {"role": "air"}, "sampling": [{"sensor": "pm25", "periodMillis": 2000}]}""");
        assertThat(changed.body().get("generation").asLong()).isEqualTo(2);
        assertThat(api.get(path).body().get("generation").asLong()).isEqualTo(2);
        assertThat(api.get("/api/v1/nodes/" + id).body().get("desiredGeneration").asLong()).isEqualTo(2);
    }

    @Test
    void invalidDesiredStateIsRefusedAndTheGenerationStays() {
        String id = createNode(uniqueName("strict")).get("id").asText();
        String path = "/api/v1/nodes/" + id + "/desired";
        api.put(path, SAMPLING);

        Api.Response unknownSensor = api.put(path, """
                {"sampling": [{"sensor": "pm25", "periodMillis": 1000}, {"sensor": "humidity", "periodMillis": 1000}]}""");
        assertThat(unknownSensor.status()).as(unknownSensor.toString()).isEqualTo(400);
        assertThat(unknownSensor.text("field")).isEqualTo("sampling[1].sensor");
        assertThat(unknownSensor.text("detail")).contains("unknown sensor 'humidity'");

        Api.Response tooFast = api.put(path, "{\"sampling\": [{\"sensor\": \"no2\", \"periodMillis\": 10}]}");
        assertThat(tooFast.status()).isEqualTo(400);
        assertThat(tooFast.text("field")).isEqualTo("sampling[0].periodMillis");
        assertThat(tooFast.text("detail")).contains("at least 100 ms");

        Api.Response twice = api.put(path, """
                {"sampling": [{"sensor": "no2", "periodMillis": 1000}, {"sensor": "no2", "periodMillis": 2000}]}""");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.text("field")).isEqualTo("sampling[1].sensor");

        Api.Response missing = api.put(path, "{\"sampling\": [{\"periodMillis\": 1000}], \"labels\": {\"x\": 1}}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("errors").size()).isEqualTo(2);

        Api.Response desired = api.get(path);
        assertThat(desired.body().get("generation").asLong()).isEqualTo(1);
        assertThat(desired.body().get("sampling").size()).isEqualTo(2);
    }

    @Test
    void reportedStateShowsTheGapAndTheLatestReadings() {
        String id = createNode(uniqueName("reporter")).get("id").asText();
        api.put("/api/v1/nodes/" + id + "/desired", SAMPLING);
        agentEvents.readingReceived(id, new SensorReading(id, "pm25", 12.5, "ug/m3", 1_000));
        agentEvents.readingReceived(id, new SensorReading(id, "pm25", 14.0, "ug/m3", 2_000));

        Api.Response r = api.get("/api/v1/nodes/" + id + "/reported");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text("nodeId")).isEqualTo(id);
        assertThat(r.body().get("appliedGeneration").asLong()).isZero();
        assertThat(r.body().get("appliedAt").isNull()).isTrue();
        assertThat(r.body().get("desiredGeneration").asLong()).isEqualTo(1);
        assertThat(r.body().get("generationGap").asLong()).isEqualTo(1);
        assertThat(r.body().get("readings").get("pm25").get("value").asDouble()).isEqualTo(14.0);
        assertThat(r.body().get("readings").get("pm25").get("unit").asText()).isEqualTo("ug/m3");
        assertThat(r.body().get("readings").get("pm25").get("timeMillis").asLong()).isEqualTo(2_000);
        assertThat(r.body().get("inventory").isNull()).isTrue();
    }
}
