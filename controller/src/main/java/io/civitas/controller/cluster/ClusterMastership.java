package io.civitas.controller.cluster;

import io.civitas.controller.system.ControllerIdentity;
import io.civitas.controller.system.ZkJson;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@link Mastership} from the EPHEMERAL records in ZooKeeper; see the interface for the contract. */
@Component
class ClusterMastership implements Mastership, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMastership.class);

    /** What {@code /cluster/switches/<dpid>} holds. */
    record SwitchRecord(String controllerId, long sinceMillis) {}

    private final CuratorFramework zk;
    private final ZooKeeperLink link;
    private final String controllerId;
    private final Clock clock;
    private final CuratorCache switches;
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> mastered = new ConcurrentHashMap<>();
    private final List<SwitchListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService claims = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "switch-mastership");
        t.setDaemon(true);
        return t;
    });

    ClusterMastership(CuratorFramework zk, ZooKeeperLink link, ControllerIdentity identity, Clock clock)
            throws Exception {
        this.zk = zk;
        this.link = link;
        this.controllerId = identity.id();
        this.clock = clock;
        zk.createContainers(ClusterZnodes.SWITCHES);
        this.switches = CuratorCache.build(zk, ClusterZnodes.SWITCHES);
        switches.listenable().addListener(CuratorCacheListener.builder()
                .forDeletes(gone -> {
                    String dpid = dpidOf(gone.getPath());
                    if (dpid != null && wanted.contains(dpid)) {
                        claims.execute(() -> claimAndTell(dpid));
                    }
                })
                .build(), claims);
        switches.start();
        link.addListener(writable -> claims.execute(() -> linkChanged(writable)));
    }

    @Override
    public boolean isMaster(String id) {
        return epoch(id) >= 0;
    }

    @Override
    public long epoch(String id) {
        if (!link.writable()) {
            return -1;
        }
        String path = mastered.containsKey(id) || wanted.contains(id) ? ClusterZnodes.switchRecord(id)
                : ClusterZnodes.presence(id);
        try {
            Stat stat = zk.checkExists().forPath(path);
            long session = link.sessionId();
            return stat != null && session != 0 && stat.getEphemeralOwner() == session ? stat.getCzxid() : -1;
        } catch (Exception e) {
            return -1; // cannot tell: not master
        }
    }

    @Override
    public long claimSwitch(String dpid) {
        wanted.add(dpid);
        return claimAndTell(dpid);
    }

    @Override
    public void releaseSwitch(String dpid) {
        wanted.remove(dpid);
        Long had = mastered.remove(dpid);
        try {
            Stat stat = zk.checkExists().forPath(ClusterZnodes.switchRecord(dpid));
            if (stat != null && stat.getEphemeralOwner() == link.sessionId()) {
                zk.delete().withVersion(stat.getVersion()).forPath(ClusterZnodes.switchRecord(dpid));
            }
        } catch (Exception e) {
            log.debug("Could not remove the mastership record of switch {}: {}", dpid, e.toString());
        }
        if (had != null) {
            tell(dpid, false, -1);
        }
    }

    @Override
    public void addSwitchListener(SwitchListener listener) {
        listeners.add(listener);
    }

    /** Controller id to the number of switches it masters, from the cache. */
    Map<String, Long> switchesPerController() {
        Map<String, Long> counts = new TreeMap<>();
        switches.stream().filter(d -> dpidOf(d.getPath()) != null)
                .map(ClusterMastership::record).filter(Objects::nonNull)
                .forEach(r -> counts.merge(r.controllerId(), 1L, Long::sum));
        return counts;
    }

    @Override
    public void close() {
        switches.close();
        claims.shutdownNow();
    }

    private long claimAndTell(String dpid) {
        long before = mastered.getOrDefault(dpid, -1L);
        long now = claim(dpid);
        if (now >= 0) {
            mastered.put(dpid, now);
        } else {
            mastered.remove(dpid);
        }
        if (now != before) {
            tell(dpid, now >= 0, now);
        }
        return now;
    }

    /** Creates the record, or finds it ours; -1 when another controller's. */
    private long claim(String dpid) {
        if (!link.writable() || !wanted.contains(dpid)) {
            return -1;
        }
        String path = ClusterZnodes.switchRecord(dpid);
        try {
            zk.create().withMode(CreateMode.EPHEMERAL)
                    .forPath(path, ZkJson.write(new SwitchRecord(controllerId, clock.millis())));
        } catch (KeeperException.NodeExistsException held) {
            // ours from before a reconnect, or another controller's
        } catch (Exception e) {
            log.warn("Could not claim switch {}: {}", dpid, e.toString());
            return -1;
        }
        try {
            // A one-shot watch as well as the cache: a record deleted before the cache has loaded it would
            // otherwise never be claimed here.
            Stat stat = zk.checkExists().usingWatcher((org.apache.curator.framework.api.CuratorWatcher) event -> {
                if (event.getType() == org.apache.zookeeper.Watcher.Event.EventType.NodeDeleted && wanted.contains(dpid)) {
                    claims.execute(() -> claimAndTell(dpid));
                }
            }).forPath(path);
            return stat != null && stat.getEphemeralOwner() == link.sessionId() ? stat.getCzxid() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private void linkChanged(boolean writable) {
        if (!writable) {
            for (String dpid : List.copyOf(mastered.keySet())) {
                mastered.remove(dpid);
                tell(dpid, false, -1);
            }
        } else {
            wanted.forEach(this::claimAndTell);
        }
    }

    private void tell(String dpid, boolean master, long epoch) {
        log.info("Switch {}: {} (epoch {})", dpid, master ? "mastered here" : "not mastered here", epoch);
        for (SwitchListener listener : listeners) {
            try {
                listener.switchMastershipChanged(dpid, master, epoch);
            } catch (RuntimeException e) {
                log.warn("A switch mastership listener failed: {}", e.toString());
            }
        }
    }

    private static String dpidOf(String path) {
        String prefix = ClusterZnodes.SWITCHES + "/";
        return path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0 ? path.substring(prefix.length()) : null;
    }

    private static SwitchRecord record(ChildData data) {
        try {
            return data.getData() == null || data.getData().length == 0 ? null
                    : ZkJson.read(data.getData(), SwitchRecord.class);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
