package io.civitas.controller.city;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import io.civitas.protocol.SensorReading;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/nodes/{id}/readings?sensor=}: the node panel's chart data. */
class ReadingWindowTest extends ApiTestBase {

    @Test
    void windowKeepsTheLast120InTimeOrder() {
        String id = createNode(uniqueName("window")).get("id").asText();
        for (int i = 0; i < 150; i++) {
            long t = 10_000 + i * 10L;
            agentEvents.readingReceived(id, new SensorReading(id, "pm25", i, "ug/m3", i % 10 == 5 ? t - 15 : t));
        }
        agentEvents.readingReceived(id, new SensorReading(id, "no2", 1, "ug/m3", 5));

        JsonNode window = api.get("/api/v1/nodes/" + id + "/readings?sensor=pm25").body();

        assertThat(window.size()).isEqualTo(120);
        for (int i = 1; i < window.size(); i++) {
            assertThat(window.get(i).get("timeMillis").asLong())
                    .isGreaterThanOrEqualTo(window.get(i - 1).get("timeMillis").asLong());
        }
        assertThat(window.get(119).get("value").asDouble()).isEqualTo(149);
        assertThat(window.get(119).get("unit").asText()).isEqualTo("ug/m3");
    }

    @Test
    void knownSensorWithoutReadingsIsEmpty() {
        String id = createNode(uniqueName("window-empty")).get("id").asText();

        Api.Response r = api.get("/api/v1/nodes/" + id + "/readings?sensor=temperature");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().size()).isZero();
    }

    @Test
    void unknownNodeIs404AndUnknownSensorIs400NamingTheField() {
        String id = createNode(uniqueName("window-bad")).get("id").asText();

        assertThat(api.get("/api/v1/nodes/nffffffffffff/readings?sensor=pm25").status()).isEqualTo(404);
        Api.Response bad = api.get("/api/v1/nodes/" + id + "/readings?sensor=radon");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text("field")).isEqualTo("sensor");
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/nodes/" + id + "/readings").text("field")).isEqualTo("sensor");
    }
}
