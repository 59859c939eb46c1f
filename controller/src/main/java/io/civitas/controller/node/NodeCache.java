package io.civitas.controller.node;

import io.civitas.controller.CivitasProperties;
import io.civitas.controller.system.StartupException;
import io.civitas.controller.system.ZkJson;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory mirror of {@code /nodes} and {@code /presence} (Curator's CuratorCache), for listing and
 * resync. It lags ZooKeeper by the time a watch takes, so a node created a moment ago may be missing:
 * single-node reads go to ZooKeeper instead. Publishes {@link NodeChanged} when any controller changes a
 * node's desired state.
 */
@Component
@DependsOn("nodeStore") // which creates the parent znodes
class NodeCache implements AutoCloseable {

    private final CuratorCache nodes;
    private final CuratorCache presence;

    NodeCache(CuratorFramework zk, ApplicationEventPublisher events, CivitasProperties properties)
            throws InterruptedException {
        this.nodes = CuratorCache.build(zk, Znodes.NODES);
        this.presence = CuratorCache.build(zk, Znodes.PRESENCE);
        nodes.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> {
                    String id = desiredOf(now.getPath());
                    if (id != null) {
                        events.publishEvent(new NodeChanged(id));
                    }
                })
                .afterInitialized()
                .build());
        start(nodes, properties);
        start(presence, properties);
    }

    /** Ids of the nodes in the cache. */
    List<String> ids() {
        return nodes.stream()
                .map(ChildData::getPath)
                .filter(path -> path.lastIndexOf('/') == Znodes.NODES.length())
                .map(path -> path.substring(Znodes.NODES.length() + 1))
                .toList();
    }

    <T> Optional<T> node(String path, Class<T> type) {
        return nodes.get(path).map(ChildData::getData).filter(d -> d != null && d.length > 0)
                .map(d -> ZkJson.read(d, type));
    }

    <T> Optional<T> presence(String path, Class<T> type) {
        return presence.get(path).map(ChildData::getData).filter(d -> d != null && d.length > 0)
                .map(d -> ZkJson.read(d, type));
    }

    @Override
    public void close() {
        nodes.close();
        presence.close();
    }

    private static void start(CuratorCache cache, CivitasProperties properties) throws InterruptedException {
        CountDownLatch loaded = new CountDownLatch(1);
        cache.listenable().addListener(CuratorCacheListener.builder().forInitialized(loaded::countDown).build());
        cache.start();
        long millis = properties.zookeeperConnectTimeout().toMillis();
        if (!loaded.await(millis, TimeUnit.MILLISECONDS)) {
            cache.close();
            throw new StartupException("Could not load the node registry from ZooKeeper within " + millis + " ms.",
                    "Check ZooKeeper's health and the controller's connection to it.", null);
        }
    }

    /** The node id of a {@code /nodes/<id>/desired} path, else null. */
    private static String desiredOf(String path) {
        String prefix = Znodes.NODES + "/";
        String suffix = "/desired";
        if (!path.startsWith(prefix) || !path.endsWith(suffix)) {
            return null;
        }
        String id = path.substring(prefix.length(), path.length() - suffix.length());
        return id.contains("/") ? null : id;
    }
}
