package io.civitas.agent.e2e;

import io.civitas.agent.DemoCity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The demo city against the fake controller: created once, found again by name, every agent online. */
@Timeout(120) // a hang in a WebSocket or router close must fail the build, not stall it
class DemoCityTest {
    @TempDir
    Path tmp;

    private FakeController controller;

    @BeforeEach
    void setUp() throws Exception {
        controller = new FakeController();
        controller.startRouter();
    }

    @AfterEach
    void tearDown() {
        controller.close();
    }

    /** Runs the demo until all {@code expected} agents printed "online", then stops it; returns stdout. */
    private String runUntilOnline(int boards, int expected) throws Exception {
        Path tokenFile = tmp.resolve("admin-token");
        Files.writeString(tokenFile, "admin-secret\n");
        DemoCity demo = new DemoCity();
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(demo).setOut(new PrintWriter(out, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> commandLine.execute(
                "--controller", controller.baseUrl().toString(), "--admin-token-file", tokenFile.toString(),
                "--state-dir", tmp.resolve("city").toString(), "--boards", String.valueOf(boards)));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> out.toString().lines().filter(l -> l.startsWith("online")).count() == expected);
        } finally {
            demo.stop();
        }
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        System.out.print(out); // shows in the surefire report, for a reader of the demo's output
        return out.toString();
    }

    @Test
    void anUnreadableAdminTokenFileIsAUsageError() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new DemoCity()).setErr(new PrintWriter(err, true)).execute(
                "--controller", controller.baseUrl().toString(), "--admin-token-file", tmp.resolve("nope").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--admin-token-file: cannot read");
        assertThat(controller.nodes).isEmpty();
    }

    @Test
    void createsTheCityOnceAndRunsOneOnlineAgentPerNode() throws Exception {
        String first = runUntilOnline(5, 6);

        assertThat(controller.nodes).hasSize(6).containsKeys("board_centro_1", "board_centro_2",
                "board_giostra_3", "board_gazzi_4", "board_annunziata_5", "vm_video_analytics_1");
        assertThat(controller.nodes.get("board_centro_2")).containsEntry("kind", "BOARD");
        assertThat(controller.nodes.get("vm_video_analytics_1")).containsEntry("kind", "VM");
        assertThat(controller.desired.get("board_centro_1").path("sampling").toString()).contains("pm25");
        assertThat(controller.desired.get("board_centro_2").path("sampling").get(0).path("periodMillis").asLong())
                .isEqualTo(1000);
        assertThat(controller.authorizations).allMatch(a -> a.equals("Bearer admin-secret"));
        assertThat(controller.enrollments).hasSize(6);
        assertThat(first).contains("created board_centro_1");

        String second = runUntilOnline(5, 6);

        assertThat(second).doesNotContain("created");
        assertThat(controller.nodes).hasSize(6);
        assertThat(controller.enrollments).hasSize(6); // credentials reused
    }

    @Test
    void aNodeWhoseStateDirWasWipedEnrollsAgainWithAReissuedToken() throws Exception {
        runUntilOnline(1, 2);
        Path boardDir = tmp.resolve("city").resolve("board_centro_1");
        Files.delete(boardDir.resolve("credential.json"));

        String second = runUntilOnline(1, 2);

        assertThat(second).contains("board_centro_1: no credential").doesNotContain("created");
        assertThat(controller.enrollments).hasSize(3);
        assertThat(controller.enrollments.get(2).token()).isEqualTo("token-again-of-board_centro_1");
        assertThat(controller.nodes).hasSize(2);
    }
}
