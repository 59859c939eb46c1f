package io.civitas.controller;

import io.civitas.controller.system.StartupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A controller that cannot start says why in a sentence, without a stack trace. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

    @Test
    void unreachableZooKeeperStopsStartWithAClearMessage(@TempDir Path dataDir, CapturedOutput output) {
        assertThatThrownBy(() -> ControllerRestartTest.start(dataDir,
                "civitas.zookeeper=127.0.0.1:1", "civitas.zookeeper-connect-timeout=1s"))
                .hasRootCauseInstanceOf(StartupException.class)
                .rootCause().hasMessage("Could not connect to ZooKeeper at 127.0.0.1:1 within 1000 ms.");

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("Could not connect to ZooKeeper at 127.0.0.1:1 within 1000 ms.")
                .doesNotContain("\tat ");
    }

    @Test
    void unwritableDataFolderStopsStartWithAClearMessage(@TempDir Path dir, CapturedOutput output) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");

        assertThatThrownBy(() -> ControllerRestartTest.start(file.resolve("data")))
                .hasRootCauseInstanceOf(java.nio.file.FileSystemException.class);

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("Cannot create the data folder " + file.resolve("data") + " (Not a directory).")
                .doesNotContain("\tat ");
    }
}
