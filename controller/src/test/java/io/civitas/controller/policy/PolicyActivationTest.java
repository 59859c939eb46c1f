package io.civitas.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Activation changes desired states through the one merge; refused activations change nothing. */
class PolicyActivationTest extends PolicyTestBase {

    @Test
    void activationChangesDesiredStatesAndRollbackRestoresThem() {
        String tag = pkg(uniqueName("roll"));
        String name = "roll-" + tag;
        String id = taggedNode(tag);
        api.put("/api/v1/nodes/" + id + "/desired",
                "{\"labels\":{\"zone\":\"a\"},\"sampling\":[{\"sensor\":\"pm25\",\"periodMillis\":2000}]}");
        JsonNode before = desired(id);
        int v1 = push(name, joinRule(tag, "net-a", 1000));
        int v2 = push(name, joinRule(tag, "net-b", 500));

        Api.Response on = activate(name, v1);
        assertThat(on.status()).as(on.toString()).isEqualTo(200);
        assertThat(on.body().get("changedNodes").asInt()).isEqualTo(1);
        JsonNode first = desired(id);
        assertThat(first.get("generation").asLong()).isEqualTo(before.get("generation").asLong() + 1);
        assertThat(texts(first.get("overlays"))).containsExactly("net-a");
        assertThat(first.get("labels").get("zone").asText()).isEqualTo("a");
        assertThat(sampling(first)).containsExactly("pm25=2000", "temperature=1000");
        assertThat(texts(api.get("/api/v1/nodes/" + id + "/decisions").body().get("overlays"))).containsExactly("net-a");

        assertThat(activate(name, v2).status()).isEqualTo(200);
        JsonNode second = desired(id);
        assertThat(texts(second.get("overlays"))).containsExactly("net-b");
        assertThat(sampling(second)).containsExactly("pm25=2000", "temperature=500");

        Api.Response back = activate(name, v1); // rollback
        assertThat(back.status()).isEqualTo(200);
        JsonNode rolledBack = desired(id);
        assertThat(rolledBack.get("generation").asLong()).isGreaterThan(second.get("generation").asLong());
        assertThat(texts(rolledBack.get("overlays"))).isEqualTo(texts(first.get("overlays")));
        assertThat(sampling(rolledBack)).isEqualTo(sampling(first));
        assertThat(activeVersions()).containsEntry(name, v1);

        // The operator's part stays the operator's: a PUT keeps the policy's overlay and period.
        Api.Response put = api.put("/api/v1/nodes/" + id + "/desired",
                "{\"labels\":{\"zone\":\"b\"},\"sampling\":[{\"sensor\":\"temperature\",\"periodMillis\":9000}]}");
        assertThat(texts(put.body().get("overlays"))).containsExactly("net-a");
        assertThat(sampling(put.body())).containsExactly("temperature=1000");

        Api.Response off = api.post("/api/v1/policies/" + name + "/deactivate", null);
        assertThat(off.status()).isEqualTo(200);
        assertThat(desired(id).get("overlays").size()).isZero();
        assertThat(sampling(desired(id))).containsExactly("temperature=9000");
    }

    @Test
    void aDryRunShowsTheChangeAndChangesNothing() {
        String tag = pkg(uniqueName("dry"));
        String name = "dry-" + tag;
        String id = taggedNode(tag);
        assertThat(activate(name, push(name, joinRule(tag, "net-a", 1000))).status()).isEqualTo(200);
        JsonNode before = desired(id);
        var activeBefore = activeVersions();

        Api.Response r = api.post("/api/v1/policies/dry-run", body(name, "rules.drl", joinRule(tag, "net-b", 1000)));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode change = null;
        for (JsonNode c : r.body().get("changes")) {
            if (c.get("nodeId").asText().equals(id)) {
                change = c.get("changes");
            }
        }
        assertThat(change).as(r.toString()).isNotNull();
        assertThat(texts(change.get("overlaysAdded"))).containsExactly("net-b");
        assertThat(texts(change.get("overlaysRemoved"))).containsExactly("net-a");
        assertThat(desired(id)).isEqualTo(before);
        assertThat(activeVersions()).isEqualTo(activeBefore);
        assertThat(api.get("/api/v1/policies/" + name).body().get("versions").size()).isEqualTo(1);
    }

    @Test
    void twoActivationsAtOnceNeverInterleave() throws Exception {
        String tag = pkg(uniqueName("race"));
        String a = "race-a-" + tag;
        String b = "race-b-" + tag;
        int va = push(a, joinRule(tag + "a", "net-a", 1000));
        int vb = push(b, joinRule(tag + "b", "net-b", 1000));
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Api.Response>> both = new ArrayList<>();
            for (Callable<Api.Response> call : List.<Callable<Api.Response>>of(
                    () -> { start.await(); return activate(a, va); },
                    () -> { start.await(); return activate(b, vb); })) {
                both.add(pool.submit(call));
            }
            int ra = both.get(0).get().status();
            int rb = both.get(1).get().status();
            assertThat(List.of(ra, rb)).allMatch(s -> s == 200 || s == 409).contains(200);
            var active = activeVersions();
            // Whoever won is active; a loser is not; and two winners means the second saw the first.
            assertThat(active.containsKey(a)).isEqualTo(ra == 200);
            assertThat(active.containsKey(b)).isEqualTo(rb == 200);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLoopingPolicyIsRefusedAtActivationAndNothingChanges() {
        String tag = pkg(uniqueName("loop"));
        String name = "loop-" + tag;
        String id = taggedNode(tag);
        JsonNode before = desired(id);
        int v = push(name, """
                package civitas.test.%s;
                rule "touches its node forever"
                when
                    $n : Node( labels["ptest"] == "%s" )
                then
                    update($n);
                end
                """.formatted(tag, tag));

        Api.Response r = activate(name, v);

        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text("detail")).contains("touches its node forever");
        assertThat(activeVersions()).doesNotContainKey(name);
        assertThat(desired(id)).isEqualTo(before);
    }

    @Test
    void conflictingOverlaysAreRefusedAtActivationAndNothingChanges() {
        String tag = pkg(uniqueName("clash"));
        String name = "clash-" + tag;
        String id = taggedNode(tag);
        JsonNode before = desired(id);
        int v = push(name, """
                package civitas.test.%s;
                rule "public and sensor networks never meet"
                when
                then
                    insertLogical(new OverlayConflict("public-%s", "sensors-%s"));
                end
                rule "join both"
                when
                    $n : Node( labels["ptest"] == "%s" )
                then
                    insertLogical(new OverlayMembership($n.getId(), "public-%s"));
                    insertLogical(new OverlayMembership($n.getId(), "sensors-%s"));
                end
                """.formatted(tag, tag, tag, tag, tag, tag));

        Api.Response r = activate(name, v);

        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text("detail")).contains(id);
        assertThat(activeVersions()).doesNotContainKey(name);
        assertThat(desired(id)).isEqualTo(before);
    }

    @Test
    void activatingAnUnknownPolicyOrVersionIs404() {
        assertThat(activate("no-such-policy", 1).status()).isEqualTo(404);
        String name = "known-" + pkg(uniqueName("k"));
        push(name, joinRule(name, "net-a", 1000));
        assertThat(activate(name, 7).status()).isEqualTo(404);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static List<String> sampling(JsonNode desired) {
        List<String> out = new ArrayList<>();
        desired.get("sampling").forEach(p -> out.add(p.get("sensor").asText() + "=" + p.get("periodMillis").asLong()));
        return out;
    }
}
