package io.civitas.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node agent written with Autobahn|JS (src/test/interop/agent.js), a WAMP library we did not write,
 * enrolls through REST, authenticates with WAMP ticket auth, is refused another node's URI, says
 * hello, applies desired state and publishes telemetry. Needs node and npm (on this kind of machine;
 * .ci/run installs them where missing); the test fails, it does not skip, without them.
 */
class AutobahnInteropE2eTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    Path tmp;
    private ControllerProcess controller;
    private Process agent;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.destroyForcibly();
        }
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void autobahnJsAgentJoinsWithTicketAuthAndTakesDesiredState() throws Exception {
        Path interop = installAutobahn();
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        CityApi api = new CityApi(controller.base(), controller.adminToken());
        String token = api.createNode("js-board", "BOARD");
        api.createNode("other-board", "BOARD");
        String otherId = api.get("/api/v1/nodes").body().findValues("id").stream().map(JsonNode::asText)
                .filter(id -> !token.startsWith(id + ".")).findFirst().orElseThrow();
        JsonNode credential = new CityApi(controller.base(), null)
                .post("/api/v1/enroll", "{\"token\":\"" + token + "\",\"protocolVersion\":1}").body();
        String nodeId = credential.get("nodeId").asText();

        agent = new ProcessBuilder("node", "agent.js", credential.get("wampUrl").asText(), nodeId,
                credential.get("secret").asText(), otherId)
                .directory(interop.toFile()).redirectErrorStream(true).start();
        collect(agent);

        await().atMost(WAIT).until(() -> has("hello"));
        assertThat(event("joined").get("authid").asText()).isEqualTo(nodeId);
        assertThat(event("refused").get("error").asText()).isEqualTo("wamp.error.not_authorized");
        assertThat(has("registered-other-node")).isFalse();
        assertThat(api.status(nodeId)).isEqualTo("ONLINE");
        assertThat(api.node(nodeId).get("inventory").get("agentVersion").asText()).isEqualTo("autobahn-js");

        long generation = api.put("/api/v1/nodes/" + nodeId + "/desired", "{\"labels\":{\"lang\":\"js\"}}")
                .body().get("generation").asLong();
        await().atMost(WAIT).until(() -> api.node(nodeId).get("appliedGeneration").asLong() == generation);
        assertThat(event("applied").get("generation").asLong()).isEqualTo(generation);
        await().atMost(WAIT).until(() -> api.get("/api/v1/nodes/" + nodeId + "/reported").body()
                .path("readings").path("pm25").path("value").asDouble() == 42.0);

        agent.destroy();
        await().atMost(WAIT).until(() -> "OFFLINE".equals(api.status(nodeId)));
    }

    /** Copies the interop agent next to the build output and installs its locked npm packages there. */
    private static Path installAutobahn() throws IOException, InterruptedException {
        Path source = Path.of("src/test/interop");
        Path target = Path.of("target/interop");
        Files.createDirectories(target);
        for (String file : List.of("package.json", "package-lock.json", "agent.js")) {
            Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(target.resolve("node_modules/autobahn"))) {
            Process npm;
            try {
                npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(target.toFile())
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AssertionError("this test needs node and npm on PATH (Debian: apt-get install nodejs npm)", e);
            }
            String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor(180, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
            assertThat(npm.exitValue()).as("npm ci failed:\n" + output).isZero();
        }
        return target;
    }

    private void collect(Process process) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    try {
                        events.add(JSON.readTree(line));
                    } catch (IOException notJson) {
                        System.out.println("agent.js: " + line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "autobahn-agent-output");
        reader.setDaemon(true);
        reader.start();
    }

    private boolean has(String name) {
        return events.stream().anyMatch(e -> name.equals(e.path("event").asText()));
    }

    private JsonNode event(String name) {
        return events.stream().filter(e -> name.equals(e.path("event").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + name + "' event; agent said " + events));
    }
}
