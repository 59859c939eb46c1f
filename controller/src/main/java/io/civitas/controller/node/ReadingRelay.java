package io.civitas.controller.node;

import io.civitas.controller.cluster.Leadership;
import io.civitas.controller.cluster.ZooKeeperLink;
import io.civitas.controller.system.ZkJson;
import io.civitas.protocol.SensorReading;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Brings every controller's sensor readings to the leader, which alone evaluates policies. Each controller
 * writes the latest reading per sensor of the nodes it hears from to {@code /readings/<nodeId>}
 * ({sensor: {value, unit, timeMillis}}), coalesced to one write per node every {@link #FLUSH_MILLIS} ms;
 * the leader mirrors {@code /readings} (a CuratorCache, only while it leads) into its {@link Readings} and
 * publishes {@link ReadingRecorded} for the readings that are newer than what it had.
 *
 * <p>Caveats: a reading reaches the leader up to {@link #FLUSH_MILLIS} ms plus a watch later; only the latest
 * reading per sensor travels (the recent window of a sensor is the receiving controller's). A node's record is
 * left behind when the node is deleted (readings of unknown nodes are ignored).
 */
@Component
class ReadingRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReadingRelay.class);
    static final String READINGS = "/readings";
    static final long FLUSH_MILLIS = 1_000;

    private final CuratorFramework zk;
    private final ZooKeeperLink link;
    private final Readings readings;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Map<String, Map<String, Readings.Latest>> dirty = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> mirroring = ThreadLocal.withInitial(() -> false);
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reading-relay");
        t.setDaemon(true);
        return t;
    });
    private CuratorCache mirror; // on the relay thread only

    ReadingRelay(CuratorFramework zk, ZooKeeperLink link, Leadership leadership, Readings readings,
                 ApplicationEventPublisher events, Clock clock) throws Exception {
        this.zk = zk;
        this.link = link;
        this.readings = readings;
        this.events = events;
        this.clock = clock;
        zk.createContainers(READINGS);
        thread.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        leadership.addListener((leader, epoch) -> thread.execute(() -> lead(leader)));
        if (leadership.isLeader()) {
            thread.execute(() -> lead(true));
        }
    }

    @EventListener
    public void onReading(ReadingRecorded event) {
        SensorReading r = event.reading();
        if (mirroring.get() || r.sensor() == null) {
            return; // one the leader mirrored from ZooKeeper: it is there already
        }
        dirty.computeIfAbsent(event.nodeId(), k -> new ConcurrentHashMap<>())
                .merge(r.sensor(), new Readings.Latest(r.value(), r.unit(), r.timeMillis()),
                        (old, now) -> now.timeMillis() >= old.timeMillis() ? now : old);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        if (mirror != null) {
            mirror.close();
        }
    }

    private void flush() {
        if (!link.writable()) {
            return; // kept, and merged with newer ones, until ZooKeeper is back
        }
        for (Iterator<String> it = dirty.keySet().iterator(); it.hasNext(); ) {
            String id = it.next();
            Map<String, Readings.Latest> latest = dirty.remove(id);
            if (latest == null) {
                continue;
            }
            Map<String, Readings.Latest> all = new HashMap<>(readings.latest(id));
            latest.forEach((sensor, l) -> all.merge(sensor, l, (a, b) -> b.timeMillis() >= a.timeMillis() ? b : a));
            byte[] data = ZkJson.write(all);
            try { // pipelined: one flush of many nodes does not wait for each answer
                zk.setData().inBackground((client, event) -> {
                    if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
                        client.create().inBackground().forPath(path(id), data);
                    }
                }).forPath(path(id), data);
            } catch (Exception e) {
                log.debug("Could not relay the readings of node {}: {}", id, e.toString());
            }
        }
    }

    private void lead(boolean leader) {
        if (leader && mirror == null) {
            mirror = CuratorCache.build(zk, READINGS);
            mirror.listenable().addListener(CuratorCacheListener.builder()
                    .forCreatesAndChanges((before, now) -> mirrored(now)).build(), thread);
            mirror.start();
        } else if (!leader && mirror != null) {
            mirror.close();
            mirror = null;
        }
    }

    private void mirrored(ChildData data) {
        String prefix = READINGS + "/";
        if (!data.getPath().startsWith(prefix) || data.getData() == null || data.getData().length == 0) {
            return;
        }
        String id = data.getPath().substring(prefix.length());
        Map<String, Readings.Latest> known = readings.latest(id);
        Map<?, ?> raw = ZkJson.read(data.getData(), Map.class);
        mirroring.set(true);
        try {
            for (Object sensor : raw.keySet()) {
                Readings.Latest l = ZkJson.read(ZkJson.write(raw.get(sensor)), Readings.Latest.class);
                Readings.Latest had = known.get((String) sensor);
                if (had == null || had.timeMillis() < l.timeMillis()) {
                    SensorReading reading = new SensorReading(id, (String) sensor, l.value(), l.unit(), l.timeMillis());
                    readings.record(id, reading, clock.millis());
                    events.publishEvent(new ReadingRecorded(id, reading));
                }
            }
        } catch (RuntimeException e) {
            log.debug("Unreadable relayed readings of node {}: {}", id, e.toString());
        } finally {
            mirroring.set(false);
        }
    }

    private static String path(String id) {
        return READINGS + "/" + id;
    }
}
