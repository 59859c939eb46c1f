package io.civitas.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.controller.Api;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Pushing, validating, testing and reading policies: what is stored, and what is refused with where. */
class PolicyApiTest extends PolicyTestBase {

    @Test
    void validateNamesTheFileLineAndColumnOfEachError() {
        String drl = """
                package civitas.test.bad;

                rule "broken"
                when
                    $n : Node( colour == "red" )
                then
                    insertLogical(new OverlayMembership($n.getId(), "x"));
                end
                """;
        Api.Response r = api.post("/api/v1/policies/validate", body("bad-one", "rules.drl", drl));

        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode error = r.body().get("errors").get(0);
        assertThat(error.get("file").asText()).isEqualTo("rules.drl");
        assertThat(error.get("line").asInt()).isEqualTo(5);
        assertThat(error.get("column").asInt()).isPositive();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(r.text("detail")).contains("rules.drl:5:");
    }

    @Test
    void aSentenceThatMatchesNoMappingIsAnErrorOnItsLine() {
        String dslr = """
                package civitas.test.sentence;
                expander city.dsl

                rule "nonsense"
                when
                    a board in the sky
                then
                    join it to overlay "x"
                end
                """;
        Api.Response r = api.post("/api/v1/policies/validate", body("sky", "sky.dslr", dslr));

        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.body().get("errors").findValuesAsText("file")).contains("sky.dslr");
        assertThat(r.body().get("errors").findValues("line").stream().map(JsonNode::asInt)).contains(6);
    }

    @Test
    void policiesNeedTheAdminToken() {
        assertThat(api.withToken(null).get("/api/v1/policies").status()).isEqualTo(401);
        assertThat(api.withToken("wrong").post("/api/v1/policies/validate", body("x", "a.drl", "package x;")).status())
                .isEqualTo(401);
    }

    @Test
    void aValidPolicyValidates() {
        Api.Response r = api.post("/api/v1/policies/validate", body("fine", "rules.drl", joinRule("fine", "net-a", 1000)));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().get("valid").asBoolean()).isTrue();
    }

    @Test
    void anInvalidPolicyIsRefusedAndNothingIsStored() {
        Api.Response r = api.post("/api/v1/policies", body("never-stored", "rules.drl", "rule \"x\" when then"));

        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.body().get("errors").size()).isPositive();
        assertThat(api.get("/api/v1/policies/never-stored").status()).isEqualTo(404);
        assertThat(znodeExists("/policies/never-stored")).isFalse();
        assertThat(api.get("/api/v1/policies").body().findValuesAsText("name")).doesNotContain("never-stored");
    }

    @Test
    void versionsIncreaseAndEachKeepsItsSource() {
        String name = "versions-" + pkg(uniqueName("v"));
        assertThat(push(name, joinRule(name, "net-a", 1000))).isEqualTo(1);
        assertThat(push(name, joinRule(name, "net-b", 1000))).isEqualTo(2);
        assertThat(push(name, joinRule(name, "net-c", 2000))).isEqualTo(3);

        JsonNode policy = api.get("/api/v1/policies/" + name).body();
        assertThat(policy.get("versions").findValues("version").stream().map(JsonNode::asInt)).containsExactly(1, 2, 3);
        assertThat(policy.get("activeVersion").isNull()).isTrue();
        JsonNode v2 = api.get("/api/v1/policies/" + name + "/versions/2").body();
        assertThat(v2.get("files").get(0).get("path").asText()).isEqualTo("rules.drl");
        assertThat(v2.get("files").get(0).get("text").asText()).contains("net-b");
        JsonNode summary = null;
        for (JsonNode p : api.get("/api/v1/policies").body()) {
            if (p.get("name").asText().equals(name)) {
                summary = p;
            }
        }
        assertThat(summary).isNotNull();
        assertThat(summary.get("latestVersion").asInt()).isEqualTo(3);
        assertThat(api.get("/api/v1/policies/" + name + "/versions/9").status()).isEqualTo(404);
    }

    @Test
    void anOversizedSourceIsRefusedNamingTheLimit() {
        String huge = "// " + "x".repeat(PolicyInput.MAX_SOURCE_BYTES) + "\n" + joinRule("huge", "net-a", 1000);
        Api.Response r = api.post("/api/v1/policies", body("huge", "rules.drl", huge));

        assertThat(r.status()).as(r.toString()).isEqualTo(413);
        assertThat(r.text("detail")).contains(String.valueOf(PolicyInput.MAX_SOURCE_BYTES));
        assertThat(znodeExists("/policies/huge")).isFalse();
    }

    @Test
    void badNamesAndFilesAreRefusedNamingTheField() {
        Api.Response upper = api.post("/api/v1/policies", body("Bad_Name", "rules.drl", "package x;"));
        assertThat(upper.status()).isEqualTo(400);
        assertThat(upper.text("field")).isEqualTo("name");

        Api.Response noFiles = api.post("/api/v1/policies", "{\"name\": \"empty\", \"files\": []}");
        assertThat(noFiles.status()).isEqualTo(400);
        assertThat(noFiles.text("field")).isEqualTo("files");

        Api.Response badPath = api.post("/api/v1/policies", body("paths", "../etc/x.drl", "package x;", "a.txt", "x"));
        assertThat(badPath.status()).isEqualTo(400);
        assertThat(badPath.body().get("errors").findValuesAsText("field"))
                .containsExactly("files[0].path", "files[1].path");
    }

    @Test
    void testCasesPassOrFailWithTheirDifferences() {
        String cases = """
                policies tested

                case a tagged board joins net-a
                node b1 kind=BOARD sensors=temperature label.ptest=tested
                expect b1 overlay net-a

                case an untagged board joins nothing
                node b2 kind=BOARD sensors=temperature
                expect b2 overlay net-a
                """;
        ObjectNode request = (ObjectNode) readTree(body("tested", "rules.drl", joinRule("tested", "net-a", 1000)));
        request.putArray("tests").addObject().put("file", "tested.cases").put("text", cases);
        String withTests = request.toString();

        Api.Response r = api.post("/api/v1/policies/test", withTests);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().get("passed").asBoolean()).isFalse();
        JsonNode results = r.body().get("cases");
        assertThat(results.get(0).get("result").asText()).isEqualTo("PASS");
        assertThat(results.get(1).get("result").asText()).isEqualTo("FAIL");
        assertThat(results.get(1).get("differences").get(0).asText()).contains("net-a");
    }
}
