package io.civitas.controller.city;

import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /api/v1/city/districts}: outlines stored whole in ZooKeeper, validated before anything is stored. */
class DistrictsApiTest extends ApiTestBase {

    private static final String CITY = """
            {"districts":[{"name":"centro","outline":[[38.18,15.54],[38.20,15.54],[38.20,15.56],[38.18,15.56]]},
                          {"name":"gazzi","outline":[[38.16,15.54],[38.18,15.54],[38.18,15.56]]}]}""";

    @Test
    void putThenGetRoundTrips() {
        Api.Response put = api.put("/api/v1/city/districts", CITY);
        assertThat(put.status()).isEqualTo(200);

        Api.Response get = api.get("/api/v1/city/districts");
        assertThat(get.body().get("districts").size()).isEqualTo(2);
        assertThat(get.body().get("districts").get(0).get("name").asText()).isEqualTo("centro");
        assertThat(get.body().get("districts").get(0).get("outline").get(2).get(1).asDouble()).isEqualTo(15.56);
        assertThat(znodeExists("/city/districts")).isTrue();
    }

    @Test
    void badInputNamesTheFieldAndStoresNothing() {
        api.put("/api/v1/city/districts", CITY);

        assertRefused("""
                {"districts":[{"name":"centro","outline":[[38.18,15.54],[38.20,15.54],[38.20,15.56]]},
                              {"name":"Bad Name","outline":[[38.1,15.5],[38.2,15.5],[38.2,15.6]]}]}""",
                "districts[1].name");
        assertRefused("""
                {"districts":[{"name":"porto","outline":[[38.1,15.5],[38.2,15.5]]}]}""", "districts[0].outline");
        assertRefused("""
                {"districts":[{"name":"porto","outline":[[38.1,15.5],[95.0,15.5],[38.2,15.6]]}]}""",
                "districts[0].outline[1][0]");
        assertRefused("""
                {"districts":[{"name":"porto","outline":[[38.1,15.5],[38.2,200],[38.2,15.6]]}]}""",
                "districts[0].outline[1][1]");
        assertRefused("{}", "districts");

        assertThat(api.get("/api/v1/city/districts").body().get("districts").get(0).get("name").asText())
                .isEqualTo("centro");
    }

    @Test
    void districtsNeedTheBearerToken() {
        assertThat(api.withToken(null).get("/api/v1/city/districts").status()).isEqualTo(401);
    }

    private void assertRefused(String body, String field) {
        Api.Response r = api.put("/api/v1/city/districts", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.text("field")).as(r.toString()).isEqualTo(field);
    }
}
