package io.civitas.controller.system;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;

/**
 * The city's admin token. Made at the first start of the first controller: 256 random bits, written to
 * {@code <data-dir>/admin-token} (mode 0600 from its creation) and printed once; ZooKeeper keeps only its
 * SHA-256 ({@code /auth/admin}), so every controller of the cluster checks the same token.
 *
 * <p>A lost token cannot be recovered from ZooKeeper, by design.
 */
@Component
public class AdminToken {

    static final String ZNODE = "/auth/admin";
    static final String FILE = "admin-token";

    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);

    /** What ZooKeeper holds at {@link #ZNODE}. */
    record Stored(String sha256, long createdAtMillis) {}

    private final String sha256;

    AdminToken(CuratorFramework zk, DataDir dataDir, Clock clock) throws Exception {
        this.sha256 = loadOrCreate(zk, dataDir.resolve(FILE), clock);
    }

    /** Constant-time check of a presented token. */
    public boolean matches(String presented) {
        return Secrets.matches(presented, sha256);
    }

    private static String loadOrCreate(CuratorFramework zk, Path file, Clock clock) throws Exception {
        if (zk.checkExists().forPath(ZNODE) != null) {
            return ZkJson.read(zk.getData().forPath(ZNODE), Stored.class).sha256();
        }
        String token = Secrets.newToken();
        Path temp = writeOwnerOnly(file.getParent(), token);
        try {
            zk.create().creatingParentsIfNeeded()
                    .forPath(ZNODE, ZkJson.write(new Stored(Secrets.sha256Hex(token), clock.millis())));
        } catch (KeeperException.NodeExistsException raced) {
            // Another controller of the cluster made the token first; it is the one in force.
            Files.deleteIfExists(temp);
            return ZkJson.read(zk.getData().forPath(ZNODE), Stored.class).sha256();
        } catch (Exception e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("Admin token (also in " + file + "): " + token);
        log.info("Created the admin token; its file is {}", file);
        return Secrets.sha256Hex(token);
    }

    /** A file that is owner-only from the moment it exists, never world-readable even briefly. */
    private static Path writeOwnerOnly(Path dir, String content) throws IOException {
        Path temp = DataDir.posix()
                ? Files.createTempFile(dir, ".admin-token", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".admin-token", ".tmp");
        Files.writeString(temp, content + "\n", StandardCharsets.UTF_8);
        return temp;
    }
}
