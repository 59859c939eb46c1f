package io.civitas.controller.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import io.civitas.protocol.WampUris;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Registering, listing, changing and deleting nodes over REST, with every refusal leaving ZooKeeper as it was. */
class NodeRegistryApiTest extends ApiTestBase {

    @Test
    void registeredNodeGetsAnIdAnEnrollmentTokenAndStatusRegistered() {
        String name = uniqueName("board");
        Api.Response r = api.post("/api/v1/nodes", """
                {"name": "%s", "kind": "BOARD", "location": {"lat": 38.19, "lon": 15.55},
                 "labels": {"district": "centro"}}""".formatted(name));

        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode node = r.body();
        String id = node.get("id").asText();
        assertThat(WampUris.isValidNodeId(id)).isTrue();
        assertThat(id).matches("n[0-9a-f]{12}");
        assertThat(r.header("Location")).isEqualTo("/api/v1/nodes/" + id);
        assertThat(node.get("name").asText()).isEqualTo(name);
        assertThat(node.get("kind").asText()).isEqualTo("BOARD");
        assertThat(node.get("location").get("lat").asDouble()).isEqualTo(38.19);
        assertThat(node.get("labels").get("district").asText()).isEqualTo("centro");
        assertThat(node.get("status").asText()).isEqualTo("REGISTERED");
        assertThat(node.get("lastSeen").isNull()).isTrue();
        assertThat(node.get("inventory").isNull()).isTrue();
        assertThat(node.get("session").isNull()).isTrue();
        assertThat(node.get("desiredGeneration").asLong()).isZero();
        assertThat(node.get("appliedGeneration").asLong()).isZero();
        assertThat(node.get("generationGap").asLong()).isZero();
        assertThat(node.get("enrollmentToken").asText()).startsWith(id + ".").hasSizeGreaterThan(40);
        Instant expires = Instant.parse(node.get("enrollmentExpiresAt").asText());
        assertThat(expires).isAfter(clock.instant().plus(Duration.ofHours(23)));

        assertThat(api.get("/api/v1/nodes/" + id).body().get("name").asText()).isEqualTo(name);
    }

    @Test
    void invalidNodeIsRefusedNamingEachFieldAndNothingIsStored() {
        Api.Response r = api.post("/api/v1/nodes", """
                {"kind": "TRAIN", "location": {"lat": 91, "lon": -181}, "labels": {"ok": "yes", "n": 5, "-bad": "x"}}""");

        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        List<String> fields = new ArrayList<>();
        r.body().get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertThat(fields).containsExactlyInAnyOrder("name", "kind", "location.lat", "location.lon", "labels.n",
                "labels.-bad");
        assertThat(r.text("field")).isEqualTo("name");
        assertThat(r.text("detail")).contains("kind: must be BOARD or VM, not 'TRAIN'");
    }

    @Test
    void locationIsOptionalButBothCoordinatesAreNeededWhenGiven() {
        assertThat(api.post("/api/v1/nodes", "{\"name\": \"" + uniqueName("vm") + "\", \"kind\": \"VM\"}").status())
                .isEqualTo(201);
        Api.Response r = api.post("/api/v1/nodes",
                "{\"name\": \"" + uniqueName("half") + "\", \"kind\": \"VM\", \"location\": {\"lat\": 10}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("field")).isEqualTo("location.lon");
    }

    @Test
    void duplicateNameIsAConflictAndTheFirstNodeStays() {
        String name = uniqueName("twin");
        String first = createNode(name).get("id").asText();

        Api.Response r = api.post("/api/v1/nodes", "{\"name\": \"" + name + "\", \"kind\": \"VM\"}");

        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        assertThat(r.text("field")).isEqualTo("name");
        assertThat(r.text("detail")).isEqualTo("a node named '" + name + "' already exists");
        assertThat(api.get("/api/v1/nodes/" + first).body().get("kind").asText()).isEqualTo("BOARD");
    }

    @Test
    void patchChangesNameLabelsAndLocationAndFreesTheOldName() {
        String oldName = uniqueName("old");
        String id = createNode(oldName).get("id").asText();
        String newName = uniqueName("new");

        Api.Response r = api.patch("/api/v1/nodes/" + id, """
                {"name": "%s", "labels": {"zone": "port"}, "location": {"lat": -33.9, "lon": 151.2}}""".formatted(newName));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text("name")).isEqualTo(newName);
        assertThat(r.body().get("labels").size()).isEqualTo(1);
        assertThat(r.body().get("labels").get("zone").asText()).isEqualTo("port");
        assertThat(r.body().get("location").get("lon").asDouble()).isEqualTo(151.2);
        assertThat(r.text("kind")).isEqualTo("BOARD");
        assertThat(api.post("/api/v1/nodes", "{\"name\": \"" + oldName + "\", \"kind\": \"VM\"}").status()).isEqualTo(201);
    }

    @Test
    void invalidPatchIsRefusedAndChangesNothing() {
        String name = uniqueName("steady");
        String id = createNode(name).get("id").asText();

        Api.Response r = api.patch("/api/v1/nodes/" + id, "{\"name\": \"ok-name\", \"kind\": \"VM\", \"labels\": {\"a\": 1}}");

        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body().get("errors").size()).isEqualTo(2);
        JsonNode node = api.get("/api/v1/nodes/" + id).body();
        assertThat(node.get("name").asText()).isEqualTo(name);
        assertThat(node.get("kind").asText()).isEqualTo("BOARD");
        assertThat(node.get("labels").get("district").asText()).isEqualTo("centro");
    }

    @Test
    void renamingOntoATakenNameIsAConflict() {
        String taken = uniqueName("taken");
        createNode(taken);
        String id = createNode(uniqueName("mover")).get("id").asText();

        Api.Response r = api.patch("/api/v1/nodes/" + id, "{\"name\": \"" + taken + "\"}");

        assertThat(r.status()).isEqualTo(409);
        assertThat(api.get("/api/v1/nodes/" + id).text("name")).startsWith("mover-");
    }

    @Test
    void listShowsRegisteredNodesSortedByName() {
        String a = uniqueName("list-a");
        String b = uniqueName("list-b");
        createNode(b);
        createNode(a);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<String> names = new ArrayList<>();
            api.get("/api/v1/nodes").body().forEach(n -> names.add(n.get("name").asText()));
            assertThat(names).contains(a, b);
            assertThat(names.indexOf(a)).isLessThan(names.indexOf(b));
        });
    }

    @Test
    void deletedNodeIsGoneWithItsCredentialAndItsAgentIsDisconnected() {
        String name = uniqueName("doomed");
        JsonNode created = createNode(name);
        String id = created.get("id").asText();
        String secret = api.withToken(null).post("/api/v1/enroll",
                "{\"token\": \"" + created.get("enrollmentToken").asText() + "\", \"protocolVersion\": 1}").text("secret");
        assertThat(agentEvents.verifyCredential(id, secret)).isTrue();

        Api.Response r = api.delete("/api/v1/nodes/" + id);

        assertThat(r.status()).isEqualTo(204);
        assertThat(api.get("/api/v1/nodes/" + id).status()).isEqualTo(404);
        assertThat(agentEvents.verifyCredential(id, secret)).isFalse();
        assertThat(agents.disconnects).contains(id);
        assertThat(znodeExists("/nodes/" + id)).isFalse();
        assertThat(znodeExists("/names/" + URLEncoder.encode(name, StandardCharsets.UTF_8))).isFalse();
        assertThat(api.delete("/api/v1/nodes/" + id).status()).isEqualTo(404);
    }
}
