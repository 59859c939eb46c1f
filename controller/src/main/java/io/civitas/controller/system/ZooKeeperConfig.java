package io.civitas.controller.system;

import io.civitas.controller.CivitasProperties;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** The Curator client every store uses, in namespace {@code civitas}; and the clock stores stamp times with. */
@Configuration(proxyBeanMethods = false)
public class ZooKeeperConfig {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperConfig.class);

    static final String NAMESPACE = "civitas";

    /** Closed before the embedded server it depends on, so the session ends cleanly. */
    @Bean(destroyMethod = "close")
    CuratorFramework curator(ZooKeeperEnsemble ensemble, CivitasProperties properties) {
        CuratorFramework client = client(ensemble.connectString(), NAMESPACE, properties);
        client.getConnectionStateListenable().addListener((c, state) -> {
            // Curator's and ZooKeeper's own logs are turned down (stack traces for a refused socket): say it here.
            if (state.isConnected()) {
                log.info("ZooKeeper connection {}", state);
            } else {
                log.warn("ZooKeeper connection {} ({})", state, ensemble.connectString());
            }
        });
        client.start();
        long waitMillis = properties.zookeeperConnectTimeout().toMillis();
        boolean connected;
        try {
            // Curator would wait forever for a server that never comes: bound it.
            connected = client.blockUntilConnected((int) waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connected = false;
        }
        if (!connected) {
            client.close();
            throw new StartupException("Could not connect to ZooKeeper at " + ensemble.connectString()
                    + " within " + waitMillis + " ms.",
                    "Check that the ensemble runs and is reachable, or start without --zookeeper to embed one.",
                    null);
        }
        return client;
    }

    /** A client (not started) with the controller's session timeout and retries; the node mirror has its own. */
    public static CuratorFramework client(String connectString, String namespace, CivitasProperties properties) {
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .namespace(namespace)
                .sessionTimeoutMs((int) properties.zookeeperSessionTimeout().toMillis())
                .connectionTimeoutMs(10_000)
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .build();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
