package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import io.civitas.overlay.openflow.FlowProgram;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.DatapathId;
import org.springframework.beans.factory.annotation.Autowired;

/** {@code /api/v1/switches} of the running controller, with a real OVS bridge connected to it. */
class SwitchApiTest extends ApiTestBase {

    @Autowired
    Southbound southbound;
    private final Ovs ovs = new Ovs();

    @AfterEach
    void deleteBridges() {
        ovs.close();
    }

    @Test
    void listsConnectedSwitchWithPortsRoleAndDesiredAndActualFlows() {
        long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        String hex = String.format("%016x", dpid);
        String br = ovs.bridge(dpid, southbound.port());
        await().atMost(Duration.ofSeconds(20)).until(() -> southbound.switches().get(DatapathId.of(dpid))
                .map(s -> s.role() == Role.MASTER).orElse(false));

        Api.Response list = api.get("/api/v1/switches");
        assertThat(list.status()).isEqualTo(200);
        JsonNode sw = StreamSupport.stream(list.body().spliterator(), false)
                .filter(n -> n.get("dpid").asText().equals(hex)).findFirst().orElseThrow();
        assertThat(sw.get("role").asText()).isEqualTo("MASTER");
        assertThat(sw.get("generationId").asLong()).isPositive();
        assertThat(sw.get("manufacturer").asText()).contains("Nicira");
        assertThat(sw.get("ports").findValuesAsText("name")).contains(br);

        southbound.desiredFlows().put(DatapathId.of(dpid),
                new FlowProgram(List.of(OpenFlowOvsTest.flow(1, 2, 100)), List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ovs.flows(br).size() == 1);
        Api.Response flows = api.get("/api/v1/switches/" + hex + "/flows");
        assertThat(flows.status()).isEqualTo(200);
        assertThat(flows.body().get("desired")).hasSize(1);
        assertThat(flows.body().get("actual")).hasSize(1);
        assertThat(flows.body().get("actual").get(0).get("cookie"))
                .isEqualTo(flows.body().get("desired").get(0).get("cookie"));
        assertThat(flows.body().get("desired").get(0).get("match").asText()).contains("in_port=1");
        assertThat(flows.body().get("desired").get(0).get("actions").asText())
                .isEqualTo("set_field:0x1389->tunnel_id,output:2");
        assertThat(flows.body().get("lastReconcile").get("error").isNull()).isTrue();

        String colons = DatapathId.of(dpid).toString();
        assertThat(api.get("/api/v1/switches/" + colons).status()).isEqualTo(200);
    }

    @Test
    void unknownOrMalformedDatapathIdIsAClearError() {
        Api.Response missing = api.get("/api/v1/switches/00000000000000ff");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        Api.Response bad = api.get("/api/v1/switches/not-a-dpid");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text("detail")).contains("dpid");
        assertThat(api.withToken(null).get("/api/v1/switches").status()).isEqualTo(401);
    }
}
