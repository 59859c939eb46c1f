package io.civitas.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.protocol.SensorReading;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The running evaluation keeps up with the registry and the readings, incrementally, after activation. */
class PolicyEvaluatorTest extends PolicyTestBase {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @org.springframework.beans.factory.annotation.Autowired
    PolicyEvaluator evaluator;
    @org.springframework.beans.factory.annotation.Autowired
    PolicyCompiler compiler;

    @Test
    void aNodeRegisteredOrRelabelledLaterGetsOrLosesItsDecisions() {
        String tag = pkg(uniqueName("later"));
        String name = "later-" + tag;
        assertThat(activate(name, push(name, joinRule(tag, "net-late", 1000))).status()).isEqualTo(200);

        String id = taggedNode(tag);
        await().atMost(WAIT).until(() -> desired(id).get("overlays").toString().contains("net-late"));
        long generation = desired(id).get("generation").asLong();

        api.patch("/api/v1/nodes/" + id, "{\"labels\":{\"district\":\"centro\",\"ptest\":\"someone-else\"}}");
        await().atMost(WAIT).until(() -> desired(id).get("overlays").isEmpty());
        assertThat(desired(id).get("generation").asLong()).isEqualTo(generation + 1);
        assertThat(api.get("/api/v1/nodes/" + id + "/decisions").body().get("overlays").isEmpty()).isTrue();
    }

    @Test
    void aReadingOverTheThresholdRaisesTheSamplingRateAndItFallsBackWhenTheAirClears() {
        String tag = pkg(uniqueName("air"));
        String name = "air-" + tag;
        String id = taggedNode(tag);
        assertThat(activate(name, push(name, """
                package civitas.test.%s;
                rule "PM2.5 sampled every 200 ms while over 50"
                when
                    $n : Node( labels["ptest"] == "%s" )
                    SensorReading( nodeId == $n.id, sensor == "pm25", value > 50 )
                then
                    insertLogical(new SamplingPlan($n.getId(), "pm25", 200L));
                end
                """.formatted(tag, tag))).status()).isEqualTo(200);
        assertThat(pm25Period(desired(id))).isNull();

        agentEvents.readingReceived(id, new SensorReading(id, "pm25", 80.5, "ug/m3", 1_000));
        await().atMost(WAIT).until(() -> Long.valueOf(200).equals(pm25Period(desired(id))));

        agentEvents.readingReceived(id, new SensorReading(id, "pm25", 12.0, "ug/m3", 2_000));
        await().atMost(WAIT).until(() -> pm25Period(desired(id)) == null);
    }

    @Test
    void samplingOfASensorTheNodeLacksIsLeftOut() {
        String tag = pkg(uniqueName("lack"));
        String name = "lack-" + tag;
        String id = taggedNode(tag); // has temperature and pm25
        assertThat(activate(name, push(name, """
                package civitas.test.%s;
                rule "parking everywhere"
                when
                    $n : Node( labels["ptest"] == "%s" )
                then
                    insertLogical(new SamplingPlan($n.getId(), "parking", 1000L));
                    insertLogical(new OverlayMembership($n.getId(), "everywhere"));
                end
                """.formatted(tag, tag))).status()).isEqualTo(200);

        JsonNode desired = desired(id);
        assertThat(desired.get("overlays").get(0).asText()).isEqualTo("everywhere");
        assertThat(desired.get("sampling").toString()).doesNotContain("parking");
    }

    /**
     * An activation deciding for many nodes at once stores their decisions and desired states in batches (more
     * nodes than one transaction holds): every node gets its overlay with an address of its own, and the
     * deactivation takes them all out again.
     */
    @Test
    void anActivationForManyNodesPlacesEveryOneOfThemAndTheDeactivationTakesThemOut() {
        String tag = pkg(uniqueName("many"));
        String name = "many-" + tag;
        String overlay = "many-" + tag;
        assertThat(api.post("/api/v1/overlays", "{\"name\":\"%s\",\"vni\":%d,\"cidr\":\"10.%d.0.0/22\"}"
                .formatted(overlay, 7000 + Math.floorMod(tag.hashCode(), 1000), 100 + Math.floorMod(tag.hashCode(), 100)))
                .status()).isEqualTo(201);
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 130; i++) {
            ids.add(taggedNode(tag));
        }
        Map<String, Long> generations = new java.util.HashMap<>();
        ids.forEach(id -> generations.put(id, desired(id).get("generation").asLong()));
        Api.Response activated = activate(name, push(name, joinRule(tag, overlay, 1000)));
        assertThat(activated.status()).isEqualTo(200);
        // The answer counts the nodes it changed, also when the watcher of the activation record installed it first
        assertThat(activated.body().get("changedNodes").asInt()).isEqualTo(130);

        for (String id : ids) {
            assertThat(desired(id).get("generation").asLong()).as("one new generation for %s", id)
                    .isEqualTo(generations.get(id) + 1);
            JsonNode d = desired(id);
            assertThat(d.get("overlays").toString()).as("node %s", id).contains(overlay);
            assertThat(d.get("sampling").toString()).as("node %s", id).contains("temperature");
        }
        JsonNode members = api.get("/api/v1/overlays/" + overlay).body().get("members");
        java.util.Set<String> addresses = new java.util.HashSet<>();
        members.forEach(m -> addresses.add(m.get("address").asText()));
        assertThat(members).hasSize(130);
        assertThat(addresses).as("one address per member").hasSize(130);

        api.post("/api/v1/policies/" + name + "/deactivate", null);
        for (String id : ids) {
            assertThat(desired(id).get("overlays").isEmpty()).as("node %s", id).isTrue();
        }
        assertThat(api.get("/api/v1/overlays/" + overlay).body().get("members")).isEmpty();
    }

    /**
     * The activation request installs its version, and so does the watcher of the activation record, which sees the
     * write first. The second install of a version in place evaluates nothing again and answers the first's count.
     */
    @Test
    void installingTheVersionInPlaceAgainEvaluatesNothingAndAnswersWhatItChanged() {
        String tag = pkg(uniqueName("twice"));
        String name = "twice-" + tag;
        java.util.List<String> ids = java.util.List.of(taggedNode(tag), taggedNode(tag), taggedNode(tag));
        Api.Response activated = activate(name, push(name, joinRule(tag, "net-twice", 1000)));
        assertThat(activated.body().get("changedNodes").asInt()).isEqualTo(3);

        Map<String, Integer> active = api.get("/api/v1/policy-activation").body().get("active").properties().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().asInt()));
        int again = evaluator.install(compiler.compileSet(active, null, null), active, evaluator.recordVersion(), null)
                .join();
        assertThat(again).isEqualTo(3);
        ids.forEach(id -> assertThat(desired(id).get("overlays").toString()).contains("net-twice"));
    }

    private static Long pm25Period(JsonNode desired) {
        for (JsonNode p : desired.get("sampling")) {
            if (p.get("sensor").asText().equals("pm25")) {
                return p.get("periodMillis").asLong();
            }
        }
        return null;
    }
}
