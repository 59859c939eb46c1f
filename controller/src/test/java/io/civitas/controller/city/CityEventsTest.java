package io.civitas.controller.city;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.civitas.controller.ApiTestBase;
import io.civitas.protocol.SensorReading;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/events}: what a browser's live view receives. */
class CityEventsTest extends ApiTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void offlineNodeReachesTheBrowserWithinTwoSeconds() throws Exception {
        String id = createNode(uniqueName("sse-offline")).get("id").asText();
        agentEvents.sessionJoined(id, 301, "10.0.0.30:1");
        try (EventStreamClient stream = new EventStreamClient(port, adminToken())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");

            agentEvents.sessionLeft(id, 301);

            EventStreamClient.Event event = stream.await("node", "\"status\":\"OFFLINE\"", 2000);
            assertThat(event).as("event: node with OFFLINE within 2 s").isNotNull();
            JsonNode node = JSON.readTree(event.data());
            assertThat(node.get("id").asText()).isEqualTo(id);
            assertThat(node.get("controllerId").isNull()).isTrue();
            assertThat(node.get("district").asText()).isEqualTo("centro");
        }
    }

    @Test
    void readingsAreStreamed() throws Exception {
        String id = createNode(uniqueName("sse-reading")).get("id").asText();
        try (EventStreamClient stream = new EventStreamClient(port, adminToken())) {
            agentEvents.readingReceived(id, new SensorReading(id, "pm25", 17.5, "ug/m3", 1_000));

            EventStreamClient.Event event = stream.await("reading", id, 2000);
            assertThat(event).isNotNull();
            JsonNode reading = JSON.readTree(event.data());
            assertThat(reading.get("sensor").asText()).isEqualTo("pm25");
            assertThat(reading.get("value").asDouble()).isEqualTo(17.5);
            assertThat(reading.get("unit").asText()).isEqualTo("ug/m3");
            assertThat(reading.get("timeMillis").asLong()).isEqualTo(1_000);
        }
    }

    @Test
    void deletedNodeIsStreamedAsRemoved() throws Exception {
        String id = createNode(uniqueName("sse-removed")).get("id").asText();
        try (EventStreamClient stream = new EventStreamClient(port, adminToken())) {
            api.delete("/api/v1/nodes/" + id);

            assertThat(stream.await("node-removed", id, 2000)).isNotNull();
        }
    }

    @Test
    void eventsNeedTheBearerToken() {
        assertThat(api.withToken(null).get("/api/v1/events").status()).isEqualTo(401);
        assertThat(api.withToken("wrong").get("/api/v1/events").status()).isEqualTo(401);
    }

    @Test
    void aTokenInTheQueryStringIsNotAccepted() throws Exception {
        assertThat(api.withToken(null).get("/api/v1/events?access_token=" + adminToken()).status()).isEqualTo(401);
        assertThat(api.withToken(null).get("/api/v1/events?token=" + adminToken()).status()).isEqualTo(401);
    }
}
