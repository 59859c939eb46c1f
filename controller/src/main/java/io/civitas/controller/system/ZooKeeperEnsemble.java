package io.civitas.controller.system;

import io.civitas.controller.CivitasProperties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

/**
 * Where the controller's ZooKeeper is: the external ensemble named by {@code civitas.zookeeper}, or a
 * single server embedded in this process with its data under {@code <data-dir>/zookeeper}, so that a
 * restart with the same folder keeps the city's state.
 *
 * <p>The embedded server listens on 127.0.0.1 only. When it fails it only logs, so its start is bounded
 * by {@code civitas.zookeeper-connect-timeout}.
 */
@Component
public class ZooKeeperEnsemble implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperEnsemble.class);

    private final ZooKeeperServerEmbedded server;
    private final String connectString;

    ZooKeeperEnsemble(CivitasProperties properties, DataDir dataDir) {
        if (StringUtils.hasText(properties.zookeeper())) {
            this.server = null;
            this.connectString = properties.zookeeper().trim();
            log.info("Using the ZooKeeper ensemble at {}", connectString);
            return;
        }
        Path base = dataDir.resolve("zookeeper");
        int port = properties.embeddedZookeeperPort() != 0 ? properties.embeddedZookeeperPort() : freePort();
        this.server = startEmbedded(base, port, properties.zookeeperConnectTimeout().toMillis());
        this.connectString = "127.0.0.1:" + port;
        log.info("Embedded ZooKeeper serves {} with data in {}", connectString, base);
    }

    public String connectString() {
        return connectString;
    }

    public boolean embedded() {
        return server != null;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    private static ZooKeeperServerEmbedded startEmbedded(Path base, int port, long timeoutMillis) {
        Properties config = new Properties();
        config.setProperty("tickTime", "2000");
        config.setProperty("dataDir", base.resolve("data").toString());
        config.setProperty("clientPort", Integer.toString(port));
        config.setProperty("clientPortAddress", "127.0.0.1");
        config.setProperty("admin.enableServer", "false");
        config.setProperty("autopurge.snapRetainCount", "3");
        config.setProperty("autopurge.purgeInterval", "24");
        ZooKeeperServerEmbedded server = null;
        try {
            Files.createDirectories(base);
            removeOldConfigFiles(base);
            server = ZooKeeperServerEmbedded.builder()
                    .baseDir(base)
                    .configuration(config)
                    .exitHandler(ExitHandler.LOG_ONLY) // never System.exit() the controller
                    .build();
            server.start(timeoutMillis);
            return server;
        } catch (TimeoutException e) {
            throw new StartupException("The embedded ZooKeeper did not start within " + timeoutMillis + " ms"
                    + " (data in " + base + "); its log lines above say why.",
                    "Check the folder is writable and not used by another controller, or point to an ensemble"
                            + " with --zookeeper HOST:PORT.", e);
        } catch (Exception e) {
            if (server != null) {
                server.close();
            }
            throw new StartupException("The embedded ZooKeeper failed to start (data in " + base + "): " + e,
                    "Check the folder is writable, or point to an ensemble with --zookeeper HOST:PORT.", e);
        }
    }

    /** The embedded server writes a new config file at every boot; keep only the coming one. */
    private static void removeOldConfigFiles(Path base) throws IOException {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(base, "zookeeper.configuration*.properties")) {
            for (Path file : old) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new StartupException("No free local port for the embedded ZooKeeper: " + e,
                    "Set civitas.embedded-zookeeper-port.", e);
        }
    }
}
