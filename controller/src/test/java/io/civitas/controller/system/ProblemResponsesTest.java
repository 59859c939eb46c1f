package io.civitas.controller.system;

import io.civitas.controller.Api;
import io.civitas.controller.ApiTestBase;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Every refusal is RFC 9457 problem+json naming what is wrong, and never a stack trace or an error page. */
class ProblemResponsesTest extends ApiTestBase {

    @Test
    void malformedJsonIsRefusedWithLineAndColumnAndCreatesNothing() {
        String name = uniqueName("malformed");
        Api.Response r = api.post("/api/v1/nodes", "{\"name\": \"" + name + "\",\n \"kind\": BOARD}");

        assertProblem(r, 400);
        assertThat(r.text("title")).isEqualTo("Malformed request body");
        assertThat(r.text("detail")).startsWith("malformed JSON: Unrecognized token 'BOARD'")
                .endsWith("at line 2, column 10");
        assertThat(znodeExists("/names/" + URLEncoder.encode(name, StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void wrongValueTypeIsRefusedNamingTheField() {
        Api.Response r = api.post("/api/v1/nodes",
                "{\"name\": \"" + uniqueName("typed") + "\", \"kind\": \"VM\", \"location\": {\"lat\": \"north\", \"lon\": 1}}");

        assertProblem(r, 400);
        assertThat(r.text("field")).isEqualTo("location.lat");
        assertThat(r.text("detail")).startsWith("location.lat: invalid value 'north', expected a number");
    }

    @Test
    void unknownFieldIsRefusedNamingIt() {
        Api.Response r = api.post("/api/v1/nodes",
                "{\"name\": \"" + uniqueName("typo") + "\", \"kind\": \"VM\", \"colour\": \"red\"}");

        assertProblem(r, 400);
        assertThat(r.text("field")).isEqualTo("colour");
        assertThat(r.body().get("errors").get(0).get("message").asText()).isEqualTo("unknown field");
    }

    @Test
    void missingBodyIsRefused() {
        Api.Response r = api.send("POST", "/api/v1/nodes", null);

        assertProblem(r, 400);
        assertThat(r.text("detail")).isEqualTo("the request needs a JSON body");
    }

    @Test
    void unknownNodeIsNotFoundOnEveryPath() {
        for (String path : new String[] {"/api/v1/nodes/nffffffffffff", "/api/v1/nodes/nffffffffffff/desired",
                "/api/v1/nodes/nffffffffffff/reported", "/api/v1/nodes/NOT-AN-ID"}) {
            Api.Response r = api.get(path);
            assertProblem(r, 404);
            assertThat(r.text("detail")).startsWith("no node with id");
        }
        assertProblem(api.delete("/api/v1/nodes/nffffffffffff"), 404);
        assertProblem(api.patch("/api/v1/nodes/nffffffffffff", "{\"name\": \"x\"}"), 404);
        assertProblem(api.put("/api/v1/nodes/nffffffffffff/desired", "{\"sampling\": []}"), 404);
        assertProblem(api.post("/api/v1/nodes/nffffffffffff/enrollment", null), 404);
    }

    @Test
    void unknownPathAndWrongMethodAreProblemsToo() {
        assertProblem(api.get("/api/v1/no-such-thing"), 404);
        assertProblem(api.put("/api/v1/nodes", "{}"), 405);
        assertProblem(api.send("POST", "/api/v1/health", "{}"), 405);
        assertProblem(api.withToken(null).send("POST", "/api/v1/health", "{}"), 401); // only GET is public
    }

    @Test
    void requestTomcatCannotParseIsAProblemToo() throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.getOutputStream().write(
                    "GET /api/v1/nodes/% HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 400").contains("Content-Type: application/problem+json")
                    .contains("\"status\":400").doesNotContain("<html");
        }
    }

    static void assertProblem(Api.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        assertThat(r.body().get("status").asInt()).isEqualTo(status);
        assertThat(r.text("title")).isNotBlank();
        assertThat(r.text("detail")).isNotBlank();
        assertThat(r.raw()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.civitas");
    }
}
