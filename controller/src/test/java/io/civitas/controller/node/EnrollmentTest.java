package io.civitas.controller.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import io.civitas.controller.TestAgents;
import io.civitas.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** An agent trades its one-time token for its own credential, once, in time, speaking a protocol we know. */
class EnrollmentTest extends ApiTestBase {

    @Test
    void enrollmentTradesTheTokenForACredential() {
        JsonNode node = createNode(uniqueName("enroll"));
        String id = node.get("id").asText();

        Api.Response r = enroll(node.get("enrollmentToken").asText(), 1);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text("nodeId")).isEqualTo(id);
        assertThat(r.text("realm")).isEqualTo(Protocol.REALM);
        assertThat(r.text("wampUrl")).isEqualTo("ws://localhost:" + TestAgents.WAMP_PORT + "/wamp");
        String secret = r.text("secret");
        assertThat(secret).hasSize(43);
        assertThat(agentEvents.verifyCredential(id, secret)).isTrue();
        assertThat(agentEvents.verifyCredential(id, secret + "x")).isFalse();
        assertThat(agentEvents.verifyCredential("nffffffffffff", secret)).isFalse();
    }

    @Test
    void wrongEnrollmentTokenIsRefusedAndNothingChanges() {
        JsonNode node = createNode(uniqueName("wrong"));
        String token = node.get("enrollmentToken").asText();
        String id = node.get("id").asText();

        for (String wrong : List.of(id + ".not-the-token", "garbage", "nffffffffffff.x", "")) {
            Api.Response r = enroll(wrong, 1);
            assertThat(r.status()).as(wrong + " -> " + r).isIn(400, 401);
        }
        Api.Response r = enroll(id + ".not-the-token", 1);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.text("detail")).startsWith("unknown enrollment token");

        assertThat(enroll(token, 1).status()).isEqualTo(200); // the real token still works
    }

    @Test
    void expiredEnrollmentTokenIsRefusedAndNothingChanges() {
        JsonNode node = createNode(uniqueName("late"));
        String id = node.get("id").asText();
        clock.advance(Duration.ofHours(25));

        Api.Response r = enroll(node.get("enrollmentToken").asText(), 1);

        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.text("detail")).startsWith("this enrollment token expired at ")
                .contains("POST /api/v1/nodes/" + id + "/enrollment");
        assertThat(api.get("/api/v1/nodes/" + id).text("status")).isEqualTo("REGISTERED");

        Api.Response fresh = api.post("/api/v1/nodes/" + id + "/enrollment", null);
        assertThat(fresh.status()).isEqualTo(201);
        assertThat(enroll(fresh.text("enrollmentToken"), 1).status()).isEqualTo(200);
    }

    @Test
    void reusedEnrollmentTokenIsRefusedAndNothingChanges() {
        JsonNode node = createNode(uniqueName("twice"));
        String id = node.get("id").asText();
        String token = node.get("enrollmentToken").asText();
        String secret = enroll(token, 1).text("secret");

        Api.Response again = enroll(token, 1);

        assertThat(again.status()).as(again.toString()).isEqualTo(401);
        assertThat(again.text("detail")).startsWith("this enrollment token was already used");
        assertThat(agentEvents.verifyCredential(id, secret)).isTrue();
    }

    @Test
    void incompatibleProtocolIsRefusedWithoutUsingTheToken() {
        JsonNode node = createNode(uniqueName("future"));
        String token = node.get("enrollmentToken").asText();

        Api.Response r = enroll(token, 99);

        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        assertThat(r.text("detail")).isEqualTo(Protocol.incompatibility(99));
        assertThat(r.text("field")).isEqualTo("protocolVersion");
        assertThat(enroll(token, Protocol.VERSION).status()).isEqualTo(200);
    }

    @Test
    void aNewerAgentSendingMoreFieldsHearsThatItsProtocolIsIncompatible() {
        String token = createNode(uniqueName("newer")).get("enrollmentToken").asText();

        Api.Response r = api.withToken(null).post("/api/v1/enroll",
                "{\"token\": \"" + token + "\", \"protocolVersion\": 2, \"capabilities\": [\"vxlan\"]}");

        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        assertThat(r.text("detail")).isEqualTo(Protocol.incompatibility(2));
        Api.Response missing = api.withToken(null).post("/api/v1/enroll", "{\"token\": \"" + token + "\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.text("field")).isEqualTo("protocolVersion");
    }

    @Test
    void concurrentEnrollsWithOneTokenLetExactlyOneWin() throws Exception {
        JsonNode node = createNode(uniqueName("race"));
        String id = node.get("id").asText();
        String token = node.get("enrollmentToken").asText();
        int contenders = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        List<Future<Api.Response>> results = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            Callable<Api.Response> attempt = () -> {
                start.await();
                return enroll(token, 1);
            };
            results.add(pool.submit(attempt));
        }
        start.countDown();
        List<Api.Response> responses = new ArrayList<>();
        for (Future<Api.Response> f : results) {
            responses.add(f.get());
        }
        pool.shutdown();

        List<Api.Response> winners = responses.stream().filter(r -> r.status() == 200).toList();
        assertThat(winners).hasSize(1);
        assertThat(responses).filteredOn(r -> r.status() == 401).hasSize(contenders - 1)
                .allSatisfy(r -> assertThat(r.text("detail")).startsWith("this enrollment token was already used"));
        assertThat(agentEvents.verifyCredential(id, winners.get(0).text("secret"))).isTrue();
    }

    @Test
    void aNewEnrollmentReplacesTheCredentialOnlyOnceUsed() {
        JsonNode node = createNode(uniqueName("again"));
        String id = node.get("id").asText();
        String oldSecret = enroll(node.get("enrollmentToken").asText(), 1).text("secret");

        Api.Response reissued = api.post("/api/v1/nodes/" + id + "/enrollment", null);
        assertThat(reissued.status()).isEqualTo(201);
        assertThat(reissued.text("nodeId")).isEqualTo(id);
        assertThat(agentEvents.verifyCredential(id, oldSecret)).isTrue(); // not yet used

        String newSecret = enroll(reissued.text("enrollmentToken"), 1).text("secret");

        assertThat(agentEvents.verifyCredential(id, newSecret)).isTrue();
        assertThat(agentEvents.verifyCredential(id, oldSecret)).isFalse();
        assertThat(agents.disconnects).contains(id);
        assertThat(enroll(node.get("enrollmentToken").asText(), 1).status()).isEqualTo(401);
    }

    private Api.Response enroll(String token, int version) {
        return api.withToken(null).post("/api/v1/enroll",
                "{\"token\": \"" + token + "\", \"protocolVersion\": " + version + "}");
    }
}
