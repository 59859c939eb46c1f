package io.civitas.controller.node;

import io.civitas.controller.cluster.ZooKeeperLink;
import io.civitas.controller.node.Znodes.Reported;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import io.civitas.protocol.DesiredState;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A node's desired state (with its generation; {@link DesiredStates} computes and writes it) and what its
 * agent reported, in ZooKeeper. Every write is
 * a compare-and-set on the znode version, retried on conflict: generations come from ZooKeeper, never
 * from a counter in this process, so two controllers cannot hand out the same one.
 */
@Component
class NodeStateStore {

    /** The outcome of a desired-state write: {@code changed} is false when it equalled the current one. */
    record DesiredChange(DesiredState state, boolean changed) {}

    /** The version of a value read from the cache (ZooKeeper lost): matches no znode, so no write can use it. */
    static final int CACHED = -2;

    private final CuratorFramework zk;
    private final ZooKeeperLink link;
    private final NodeCache cache;
    private final CityDefaults defaults;
    private final Map<String, Versioned<DesiredState>> written = new ConcurrentHashMap<>();

    NodeStateStore(CuratorFramework zk, ZooKeeperLink link, NodeCache cache, CityDefaults defaults) {
        this.zk = zk;
        this.link = link;
        this.cache = cache;
        this.defaults = defaults;
    }

    /** The node's desired state in effect: as stored, with the city's defaults ({@link CityDefaults#effective}). */
    Optional<DesiredState> desired(String id) {
        return read(Znodes.desired(id), DesiredState.class).map(Versioned::value).map(defaults::effective);
    }

    /**
     * The desired state as the in-memory mirror holds it, else (a node created a moment ago) from ZooKeeper. It may
     * lag a write by a watch's time; a {@link NodeChanged} follows the mirror's update, so a level-triggered reader
     * that acts on it looks again. For the reconciler, which would otherwise read every node at every pass.
     */
    Optional<DesiredState> desiredMirrored(String id) {
        Optional<DesiredState> mirrored = desiredMirrorOnly(id);
        if (mirrored.isEmpty()) {
            written.remove(id);
            return desired(id);
        }
        return mirrored;
    }

    /** {@link #desiredMirrored} without the fall-back to ZooKeeper: for threads that must not block. */
    Optional<DesiredState> desiredMirrorOnly(String id) {
        return desiredMirroredVersioned(id).map(v -> defaults.effective(v.value()));
    }

    /**
     * The desired state as stored (without the city's defaults) with its znode version, from the mirror or, newer, as
     * this controller just committed it; empty
     * when the mirror does not hold the node. A batch's compare-and-set names this version, so a batch right after
     * another does not fail on the mirror's lag behind our own writes.
     */
    Optional<Versioned<DesiredState>> desiredMirroredVersioned(String id) {
        String path = Znodes.desired(id);
        Versioned<DesiredState> mine = written.get(id);
        if (mine != null) { // compared by version first: parsing the mirror's copy cost a city-wide push dearly
            int seen = cache.version(path);
            if (seen < 0) {
                return Optional.empty();
            }
            if (mine.version() > seen) {
                return Optional.of(mine); // ours, committed, and the mirror has not seen it yet
            }
            written.remove(id, mine);
        }
        return cache.versioned(path, DesiredState.class);
    }

    /**
     * A desired state this controller has just committed at {@code version}: {@link #desiredMirrored} gives it until
     * the mirror catches up, so a batch's pushes go out as its transaction commits, not a watch and a read later.
     */
    void committed(String id, DesiredState state, int version) {
        written.merge(id, new Versioned<>(state, version), (a, b) -> a.version() >= b.version() ? a : b);
    }

    /** The reported state as the mirror holds it (see {@link #desiredMirrored}). */
    Optional<Reported> reportedMirrored(String id) {
        return cache.node(Znodes.reported(id), Reported.class);
    }

    Optional<Reported> reported(String id) {
        return read(Znodes.reported(id), Reported.class).map(Versioned::value);
    }

    /** Compare-and-set update of the reported state; false when the node is gone. */
    boolean updateReported(String id, UnaryOperator<Reported> change) {
        while (true) {
            Optional<Versioned<Reported>> current = read(Znodes.reported(id), Reported.class);
            if (current.isEmpty()) {
                return false;
            }
            Reported next = change.apply(current.get().value());
            if (next.equals(current.get().value()) || compareAndSet(Znodes.reported(id), next, current.get().version())) {
                return true;
            }
        }
    }

    /** Records a push's result; never moves the applied generation backwards (a late, older answer). */
    boolean recordApplied(String id, long generation, long appliedAtMillis) {
        return updateReported(id, r -> generation <= r.appliedGeneration() ? r
                : new Reported(generation, appliedAtMillis, r.protocolVersion(), r.inventory(), r.lastSeenMillis()));
    }

    /** From ZooKeeper; while it is lost, the last known value from the cache (version {@link #CACHED}). */
    <T> Optional<Versioned<T>> read(String path, Class<T> type) {
        if (!link.writable()) {
            return cache.node(path, type).map(value -> new Versioned<>(value, CACHED));
        }
        try {
            Stat stat = new Stat();
            byte[] data = zk.getData().storingStatIn(stat).forPath(path);
            return Optional.of(new Versioned<>(ZkJson.read(data, type), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read " + path, e);
        }
    }

    /** False when someone wrote in between (or the znode vanished): re-read and try again. */
    boolean compareAndSet(String path, Object value, int version) {
        try {
            zk.setData().withVersion(version).forPath(path, ZkJson.write(value));
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("write " + path, e);
        }
    }
}
