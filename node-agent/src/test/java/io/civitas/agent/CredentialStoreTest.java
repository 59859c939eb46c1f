package io.civitas.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialStoreTest {
    @TempDir
    Path tmp;

    @Test
    void credentialFileIsBornOwnerOnlyInAnOwnerOnlyDirectoryAndReadsBack() throws Exception {
        Path stateDir = tmp.resolve("state").resolve("agent");
        CredentialStore store = new CredentialStore(stateDir);

        store.save(new Credential("board_1", "s3cret", "civitas"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir))).isEqualTo("rwx------");
        assertThat(store.load()).contains(new Credential("board_1", "s3cret", "civitas"));
        try (var files = Files.list(stateDir)) {
            assertThat(files).containsExactly(store.file()); // no temporary file left behind
        }
    }

    @Test
    void savingAgainReplacesTheCredentialAndKeepsTheMode() throws Exception {
        CredentialStore store = new CredentialStore(tmp);
        store.save(new Credential("board_1", "old", "civitas"));
        store.save(new Credential("board_1", "new", "civitas"));

        assertThat(store.load().orElseThrow().secret()).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
    }

    @Test
    void noFileMeansNoCredential() {
        assertThat(new CredentialStore(tmp).load()).isEmpty();
    }

    @Test
    void corruptFileIsAConfigurationErrorNamingTheFile() throws Exception {
        CredentialStore store = new CredentialStore(tmp);
        Files.writeString(store.file(), "{ not json");

        assertThatThrownBy(store::load).isInstanceOf(AgentException.class)
                .hasMessageContaining(store.file().toString())
                .extracting(e -> ((AgentException) e).kind()).isEqualTo(AgentException.Kind.CONFIGURATION);
    }

    @Test
    void secretStaysOutOfToString() {
        assertThat(new Credential("board_1", "s3cret", "civitas").toString()).doesNotContain("s3cret");
    }
}
