package io.civitas.controller.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Discovery for agents: the live members' addresses, without a token; the rest of the cluster view keeps its token. */
class ClusterMembersApiTest extends ApiTestBase {

    @Test
    void discoveryListsTheLiveMembersAddressesWithoutAToken() {
        Api anonymous = api.withToken(null);

        Api.Response members = anonymous.get("/api/v1/cluster/members");

        assertThat(members.status()).as(members.toString()).isEqualTo(200);
        JsonNode self = members.body().get("members").get(0);
        assertThat(self.get("id").asText()).isEqualTo("test-controller");
        assertThat(self.get("restUrl").asText()).startsWith("http://").endsWith(":" + port);
        assertThat(self.get("wampUrl").asText()).startsWith("ws://").endsWith("/wamp");
        assertThat(self.has("nodes")).as("no counts, no leader: addresses only").isFalse();
        assertThat(self.has("leader")).isFalse();
        assertThat(anonymous.get("/api/v1/cluster").status()).isEqualTo(401);
    }
}
