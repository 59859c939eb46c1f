package io.civitas.agent;

import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * {@code <stateDir>/credential.json}: the node's credential, created 0600 from the start. Deleting the file
 * (and enrolling again with a new token) is how an operator re-enrolls a node.
 */
final class CredentialStore {
    private static final Logger log = LoggerFactory.getLogger(CredentialStore.class);

    private final Path file;

    CredentialStore(Path stateDir) {
        this.file = stateDir.resolve("credential.json");
    }

    Path file() {
        return file;
    }

    /** The stored credential, empty when there is none; a corrupt file is a configuration error. */
    Optional<Credential> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Credential credential;
        try {
            credential = Json.MAPPER.readValue(file.toFile(), Credential.class);
            warnIfReadableByOthers();
        } catch (IOException e) {
            throw new AgentException(AgentException.Kind.CONFIGURATION,
                    "cannot read credential " + file + ": " + e.getMessage(), e);
        }
        if (!WampUris.isValidNodeId(credential.nodeId()) || credential.secret() == null) {
            throw new AgentException(AgentException.Kind.CONFIGURATION, "credential " + file
                    + " has no valid nodeId/secret; delete it and enroll again with a new token");
        }
        return Optional.of(credential);
    }

    void save(Credential credential) throws IOException {
        StateFiles.writePrivate(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(credential));
    }

    private void warnIfReadableByOthers() throws IOException {
        if (!StateFiles.posix()) {
            return;
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (!StateFiles.FILE_MODE.containsAll(mode)) {
            log.warn("{} is readable by others ({}); run: chmod 600 {}", file,
                    java.nio.file.attribute.PosixFilePermissions.toString(mode), file);
        }
    }
}
