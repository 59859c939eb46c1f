package io.civitas.controller;

import io.civitas.controller.agent.AgentEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What must survive a restart lives in the data folder's ZooKeeper; the admin token is shown only once. */
@ExtendWith(OutputCaptureExtension.class)
class ControllerRestartTest {

    @Test
    void restartWithTheSameDataFolderKeepsNodesCredentialsAndDesiredState(@TempDir Path dataDir,
                                                                          CapturedOutput output) throws Exception {
        String token;
        String id;
        String secret;
        String enrollmentToken;
        try (ConfigurableApplicationContext first = start(dataDir)) {
            Path tokenFile = dataDir.resolve("admin-token");
            Matcher printed = Pattern.compile("Admin token \\(also in (.+)\\): (\\S+)").matcher(output.getOut());
            assertThat(printed.find()).as("the token is printed at first start").isTrue();
            assertThat(printed.group(1)).isEqualTo(tokenFile.toString());
            token = printed.group(2);
            assertThat(Files.readString(tokenFile).trim()).isEqualTo(token);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");

            Api api = new Api(port(first), token);
            var created = api.post("/api/v1/nodes", "{\"name\": \"survivor\", \"kind\": \"VM\"}");
            id = created.text("id");
            enrollmentToken = created.text("enrollmentToken");
            secret = api.withToken(null).post("/api/v1/enroll",
                    "{\"token\": \"" + enrollmentToken + "\", \"protocolVersion\": 1}").text("secret");
            api.put("/api/v1/nodes/" + id + "/desired",
                    "{\"labels\": {\"a\": \"b\"}, \"sampling\": [{\"sensor\": \"no2\", \"periodMillis\": 60000}]}");
        }

        try (ConfigurableApplicationContext second = start(dataDir)) {
            assertThat(Pattern.compile("Admin token").matcher(output.getOut()).results().count())
                    .as("printed only at the first start").isEqualTo(1);
            Api api = new Api(port(second), token);

            var node = api.get("/api/v1/nodes/" + id);
            assertThat(node.status()).as(node.toString()).isEqualTo(200);
            assertThat(node.text("name")).isEqualTo("survivor");
            assertThat(node.body().get("desiredGeneration").asLong()).isEqualTo(1);
            var desired = api.get("/api/v1/nodes/" + id + "/desired").body();
            assertThat(desired.get("sampling").get(0).get("periodMillis").asLong()).isEqualTo(60_000);
            assertThat(desired.get("labels").get("a").asText()).isEqualTo("b");
            assertThat(second.getBean(AgentEvents.class).verifyCredential(id, secret)).isTrue();
            assertThat(api.withToken(null).post("/api/v1/enroll",
                    "{\"token\": \"" + enrollmentToken + "\", \"protocolVersion\": 1}").status()).isEqualTo(401);
            assertThat(api.post("/api/v1/nodes", "{\"name\": \"survivor\", \"kind\": \"VM\"}").status()).isEqualTo(409);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("admin-token"))))
                    .isEqualTo("rw-------");
        }
    }

    static ConfigurableApplicationContext start(Path dataDir, String... more) {
        return new SpringApplicationBuilder(ControllerApplication.class, TestAgents.class)
                .properties("server.port=0", "civitas.wamp.port=0", "civitas.controller-id=restart-test",
                        "civitas.data-dir=" + dataDir)
                .properties(more)
                .run();
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
