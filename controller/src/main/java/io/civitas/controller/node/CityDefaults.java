package io.civitas.controller.node;

import io.civitas.controller.CivitasProperties;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.SamplingPlan;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import java.util.Comparator;
import java.util.List;

/**
 * The city's default sampling periods ({@code PUT /api/v1/city/defaults}): one record for every node, in one
 * znode, merged into each node's desired state as it is read ({@link #effective}). A city-wide change is then one
 * ZooKeeper write and a push to each agent; copying it into ten thousand desired-state znodes first took a second.
 *
 * <p>A node's generation is its stored one plus the record's version + 1 (0 while there is no record). Both only
 * grow (the record is replaced, never deleted), so every change to either raises it. Every controller mirrors the
 * record and, when it changes, looks at all its nodes ({@link Changed}).
 */
@Component
public class CityDefaults implements AutoCloseable {

    static final String PATH = "/city/defaults";

    /** The record as stored; sampling by sensor. */
    record Stored(List<SamplingPlan> sampling) {
        Stored {
            sampling = sampling == null ? List.of()
                    : sampling.stream().sorted(Comparator.comparing(SamplingPlan::sensor)).toList();
        }
    }

    /** The defaults with the znode version they were read at; {@link #NONE} before the first write. */
    public record Current(List<SamplingPlan> sampling, int version) {
        static final Current NONE = new Current(List.of(), -1);

        /** The defaults as agents are told them ({@link io.civitas.protocol.WampUris#CITY_DEFAULTS}). */
        public SamplingDefaults message() {
            return new SamplingDefaults(version, sampling);
        }
    }

    /** A Spring event: the defaults changed, every node's desired state with them. */
    public record Changed(Current now) {}

    private final CuratorFramework zk;
    private final ApplicationEventPublisher events;
    private final CuratorCache mirror;
    private volatile Current current = Current.NONE;

    CityDefaults(CuratorFramework zk, ApplicationEventPublisher events, CivitasProperties properties)
            throws InterruptedException {
        this.zk = zk;
        this.events = events;
        this.mirror = CuratorCache.build(zk, PATH, CuratorCache.Options.SINGLE_NODE_CACHE);
        mirror.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> seen(now))
                .afterInitialized()
                .build());
        NodeCache.start(mirror, properties, "the city's defaults");
        mirror.get(PATH).ifPresent(this::seen); // the first load is not an event: taken as the mirror holds it
    }

    /** The defaults as this controller knows them (its mirror, or its own write if that is newer). */
    public Current current() {
        return current;
    }

    /** {@code stored} (a node's desired state as its znode holds it) with the city's defaults and generation. */
    DesiredState effective(DesiredState stored) {
        Current c = current;
        return c.version() < 0 ? stored : stored.withCityDefaults(c.message());
    }

    /**
     * Replaces the defaults (compare-and-set on the record's version, retried); an equal record is not written, so
     * no generation rises for nothing. Answers the defaults in effect afterwards. The first try goes by the record as
     * this controller knows it (one round trip); after a failed try, or before answering "unchanged", the record is
     * read from ZooKeeper.
     */
    Current put(List<SamplingPlan> sampling) {
        Stored next = new Stored(sampling);
        byte[] data = ZkJson.write(next);
        Current known = current;
        boolean read = false;
        while (true) {
            try {
                if (known.version() < 0) {
                    zk.create().creatingParentsIfNeeded().forPath(PATH, data);
                    return seen(new Current(next.sampling(), 0));
                }
                if (new Stored(known.sampling()).equals(next)) {
                    if (read) {
                        return seen(known);
                    }
                } else {
                    Stat written = zk.setData().withVersion(known.version()).forPath(PATH, data);
                    return seen(new Current(next.sampling(), written.getVersion()));
                }
            } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException
                     | KeeperException.NoNodeException raced) {
                // another controller wrote meanwhile, or this one's view was behind: read the record and try again
            } catch (Exception e) {
                throw ZooKeeperException.wrap("write " + PATH, e);
            }
            known = stored();
            read = true;
        }
    }

    /** The record as ZooKeeper holds it now; {@link Current#NONE} when there is none. */
    private Current stored() {
        Stat stat = new Stat();
        try {
            Stored s = ZkJson.read(zk.getData().storingStatIn(stat).forPath(PATH), Stored.class);
            return new Current(s.sampling(), stat.getVersion());
        } catch (KeeperException.NoNodeException none) {
            return Current.NONE;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read " + PATH, e);
        }
    }

    private void seen(ChildData data) {
        if (data.getData() != null && data.getStat() != null) {
            seen(new Current(ZkJson.read(data.getData(), Stored.class).sampling(), data.getStat().getVersion()));
        }
    }

    /** Takes {@code c} if it is newer than what is known (a write here and the mirror's echo of it may cross). */
    private Current seen(Current c) {
        Current before;
        synchronized (this) {
            before = current;
            if (c.version() <= before.version()) {
                return before;
            }
            current = c;
        }
        events.publishEvent(new Changed(c));
        return c;
    }

    @Override
    public void close() {
        mirror.close();
    }
}
