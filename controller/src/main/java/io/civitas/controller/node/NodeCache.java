package io.civitas.controller.node;

import io.civitas.controller.CivitasProperties;
import io.civitas.controller.system.StartupException;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory mirror of {@code /nodes} and {@code /presence} (Curator's CuratorCache), for listing and
 * resync. It lags ZooKeeper by the time a watch takes, so a node created a moment ago may be missing:
 * single-node reads go to ZooKeeper instead. Publishes {@link NodeChanged} when any controller creates,
 * changes or deletes a node, its desired, operator or reported state, or its presence (the reconciler
 * and the policy evaluator both listen).
 */
@Component
@DependsOn("nodeStore") // which creates the parent znodes
class NodeCache implements AutoCloseable {

    private static final Set<String> CHILDREN_THAT_MATTER = Set.of("desired", "desired-spec", "reported");

    private final CuratorCache nodes;
    private final CuratorCache presence;
    private final CuratorFramework mirrorClient;
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();
    private final Set<String> ids = ConcurrentHashMap.newKeySet();

    private record Parsed(ChildData from, Object value) {}

    NodeCache(CuratorFramework zk, ApplicationEventPublisher events, CivitasProperties properties)
            throws InterruptedException {
        // A session of its own: the mirror re-reads every changed znode, and on the stores' session those reads
        // queued behind and ahead of their writes (ZooKeeper keeps one session's requests in order). A city-wide
        // change wrote 3x slower so.
        this.mirrorClient = ZooKeeperConfig.client(zk.getZookeeperClient().getCurrentConnectionString(),
                zk.getNamespace(), properties);
        mirrorClient.start();
        this.nodes = CuratorCache.build(mirrorClient, Znodes.NODES);
        this.presence = CuratorCache.build(mirrorClient, Znodes.PRESENCE);
        nodes.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> {
                    idOf(now.getPath()).ifPresent(ids::add);
                    publish(events, nodeOf(now.getPath()));
                })
                .forDeletes(gone -> {
                    idOf(gone.getPath()).ifPresent(ids::remove);
                    parsed.remove(gone.getPath());
                    publish(events, nodeOf(gone.getPath()));
                })
                .afterInitialized()
                .build());
        presence.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, now) -> publish(events, presenceOf(now != null ? now : before)))
                .afterInitialized()
                .build());
        try {
            start(nodes, properties, "the node registry");
            start(presence, properties, "the node registry");
            // The listener sees changes after the initial load only: the ids loaded come from the cache itself.
            nodes.stream().map(ChildData::getPath).map(NodeCache::idOf).flatMap(Optional::stream).forEach(ids::add);
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** Ids of the nodes in the cache (kept as the mirror changes: listing them walked every znode it holds). */
    List<String> ids() {
        return ids.stream().filter(id -> nodes.get(Znodes.node(id)).isPresent()).toList();
    }

    /** The id of {@code /nodes/<id>} itself; empty for its children and for {@code /nodes}. */
    private static Optional<String> idOf(String path) {
        return path.lastIndexOf('/') == Znodes.NODES.length() && path.length() > Znodes.NODES.length() + 1
                ? Optional.of(path.substring(Znodes.NODES.length() + 1)) : Optional.empty();
    }

    <T> Optional<T> node(String path, Class<T> type) {
        return nodes.get(path).filter(d -> d.getData() != null && d.getData().length > 0).map(d -> parsed(d, type));
    }

    /** As {@link #node}, with the znode version the mirror saw (a compare-and-set with it fails if it is stale). */
    <T> Optional<Versioned<T>> versioned(String path, Class<T> type) {
        return nodes.get(path).filter(d -> d.getData() != null && d.getData().length > 0 && d.getStat() != null)
                .map(d -> new Versioned<>(parsed(d, type), d.getStat().getVersion()));
    }

    /**
     * The znode's content as {@code type}, parsed once per version the mirror holds: a city-wide push reads every
     * node's desired and reported state, and parsing them again on each read was most of its CPU. The values are
     * immutable records; the entry is replaced when the mirror holds a newer version (a new ChildData).
     */
    private <T> T parsed(ChildData data, Class<T> type) {
        Parsed seen = parsed.get(data.getPath());
        if (seen != null && seen.from() == data && type.isInstance(seen.value())) {
            return type.cast(seen.value());
        }
        T value = ZkJson.read(data.getData(), type);
        parsed.put(data.getPath(), new Parsed(data, value));
        return value;
    }

    /** The znode version the mirror saw, without reading its content; -1 when the mirror does not hold it. */
    int version(String path) {
        return nodes.get(path).map(ChildData::getStat).map(stat -> stat.getVersion()).orElse(-1);
    }

    /** Whether the mirror holds the znode. */
    boolean has(String path) {
        return nodes.get(path).isPresent();
    }

    /**
     * The mastership epoch of the node's presence record as the mirror saw it (its creation zxid, which only grows
     * across re-homing) when {@code sessionId} owns the record; -1 otherwise (not ours, or the mirror behind).
     */
    long presenceEpoch(String id, long sessionId) {
        return presence.get(Znodes.presence(id)).map(ChildData::getStat)
                .filter(stat -> sessionId != 0 && stat.getEphemeralOwner() == sessionId)
                .map(stat -> stat.getCzxid()).orElse(-1L);
    }

    <T> Optional<T> presence(String path, Class<T> type) {
        return presence.get(path).map(ChildData::getData).filter(d -> d != null && d.length > 0)
                .map(d -> ZkJson.read(d, type));
    }

    @Override
    public void close() {
        nodes.close();
        presence.close();
        mirrorClient.close();
    }

    /** Starts the cache and waits for its first load; a clear start-up error when ZooKeeper does not answer. */
    static void start(CuratorCache cache, CivitasProperties properties, String what) throws InterruptedException {
        CountDownLatch loaded = new CountDownLatch(1);
        cache.listenable().addListener(CuratorCacheListener.builder().forInitialized(loaded::countDown).build());
        cache.start();
        long millis = properties.zookeeperConnectTimeout().toMillis();
        if (!loaded.await(millis, TimeUnit.MILLISECONDS)) {
            cache.close();
            throw new StartupException("Could not load " + what + " from ZooKeeper within " + millis + " ms.",
                    "Check ZooKeeper's health and the controller's connection to it.", null);
        }
    }

    private static void publish(ApplicationEventPublisher events, String id) {
        if (id != null) {
            events.publishEvent(new NodeChanged(id));
        }
    }

    /**
     * The node id of {@code /nodes/<id>} (spec, deletion) or of its desired, operator, or reported state,
     * else null. Decisions are left out: they change only together with the desired state they feed.
     */
    private static String nodeOf(String path) {
        String prefix = Znodes.NODES + "/";
        if (!path.startsWith(prefix)) {
            return null;
        }
        String rest = path.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return rest;
        }
        String child = rest.substring(slash + 1);
        return CHILDREN_THAT_MATTER.contains(child) ? rest.substring(0, slash) : null;
    }

    private static String presenceOf(ChildData data) {
        if (data == null) {
            return null;
        }
        String prefix = Znodes.PRESENCE + "/";
        String path = data.getPath();
        return path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0 ? path.substring(prefix.length()) : null;
    }
}
