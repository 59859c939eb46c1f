package io.civitas.controller.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import io.civitas.controller.TestAgents;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin token guards /api/**; agents' and the launcher's endpoints stay public. */
class ApiAuthTest extends ApiTestBase {

    @Test
    void requestWithoutTokenIsRefusedAndCreatesNothing() {
        String name = uniqueName("no-token");
        Api.Response r = api.withToken(null).post("/api/v1/nodes", "{\"name\":\"" + name + "\",\"kind\":\"VM\"}");

        assertUnauthorized(r);
        assertThat(r.text("detail")).contains("Authorization: Bearer");
        assertThat(znodeExists("/names/" + URLEncoder.encode(name, StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void requestWithWrongTokenIsRefusedAndChangesNothing() {
        JsonNode node = createNode(uniqueName("guarded"));
        String id = node.get("id").asText();
        Api wrong = api.withToken(Secrets.newToken());

        assertUnauthorized(wrong.get("/api/v1/nodes"));
        Api.Response delete = wrong.delete("/api/v1/nodes/" + id);

        assertUnauthorized(delete);
        assertThat(delete.text("detail")).isEqualTo("the bearer token is not valid");
        assertThat(api.get("/api/v1/nodes/" + id).status()).isEqualTo(200);
    }

    @Test
    void otherAuthorizationSchemesAreRefused() {
        Api.Response r = api.withToken(null).send("GET", "/api/v1/nodes", null);
        assertUnauthorized(r);
    }

    @Test
    void agentAndHealthEndpointsNeedNoToken() {
        Api anonymous = api.withToken(null);

        Api.Response health = anonymous.get("/api/v1/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.text("status")).isEqualTo("UP");
        assertThat(health.text("zookeeper")).isEqualTo("CONNECTED");
        assertThat(health.text("controllerId")).isEqualTo("test-controller");

        Api.Response bootstrap = anonymous.get("/api/v1/agent/bootstrap");
        assertThat(bootstrap.status()).isEqualTo(200);
        assertThat(bootstrap.text("realm")).isEqualTo("civitas");
        assertThat(bootstrap.text("wampUrl")).isEqualTo("ws://localhost:" + TestAgents.WAMP_PORT + "/wamp");
        assertThat(bootstrap.body().get("protocolVersion").asInt()).isEqualTo(1);
        assertThat(bootstrap.body().get("minProtocolVersion").asInt()).isEqualTo(1);
    }

    private static void assertUnauthorized(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(r.text("title")).isEqualTo("Unauthorized");
        assertThat(r.body().get("status").asInt()).isEqualTo(401);
    }
}
