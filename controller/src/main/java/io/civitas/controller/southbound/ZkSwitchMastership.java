package io.civitas.controller.southbound;

import io.civitas.controller.system.ZkJson;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Switch mastership in ZooKeeper: the controllers connected to a switch contend in a Curator {@link LeaderLatch}
 * at {@code /switches/<dpid>/latch}; the winner increments {@code /switches/<dpid>/epoch} by compare-and-set and
 * uses the new value as its generation id, and records itself in {@code /switches/<dpid>/master}.
 * The others are SLAVE at the current epoch. A latch holder whose ZooKeeper session ends loses the latch; if it
 * has not noticed, the switch still refuses it once the next master has claimed a larger epoch.
 */
public final class ZkSwitchMastership implements SwitchMastership {

    private static final Logger log = LoggerFactory.getLogger(ZkSwitchMastership.class);
    private final CuratorFramework curator;
    private final String controllerId;
    private final Map<DatapathId, LeaderLatch> latches = new ConcurrentHashMap<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "switch-mastership");
        t.setDaemon(true);
        return t;
    });

    public ZkSwitchMastership(CuratorFramework curator, String controllerId) {
        this.curator = curator;
        this.controllerId = controllerId;
    }

    static String path(DatapathId dpid) {
        return "/switches/" + String.format("%016x", dpid.getLong());
    }

    @Override
    public void join(DatapathId dpid, Consumer<Term> onChange) {
        LeaderLatch latch = new LeaderLatch(curator, path(dpid) + "/latch", controllerId);
        LeaderLatch old = latches.put(dpid, latch);
        if (old != null) {
            closeQuietly(old);
        }
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                try {
                    long epoch = nextEpoch(dpid);
                    log.info("This controller ({}) masters switch {} at generation {}", controllerId, dpid, epoch);
                    onChange.accept(new Term(true, epoch));
                } catch (Exception e) {
                    log.warn("Mastership of {} won, but its epoch could not be advanced: {}", dpid, e.toString());
                }
            }

            @Override
            public void notLeader() {
                onChange.accept(new Term(false, currentEpochOrZero(dpid)));
            }
        }, events);
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot contend for switch " + dpid + ": " + e.getMessage(), e);
        }
        events.execute(() -> {
            if (!latch.hasLeadership()) {
                onChange.accept(new Term(false, currentEpochOrZero(dpid)));
            }
        });
    }

    @Override
    public void leave(DatapathId dpid) {
        LeaderLatch latch = latches.remove(dpid);
        if (latch != null) {
            closeQuietly(latch);
        }
    }

    /** Compare-and-set increment of the switch's epoch; also names the master. */
    private long nextEpoch(DatapathId dpid) throws Exception {
        String epochPath = path(dpid) + "/epoch";
        while (true) {
            Stat stat = new Stat();
            long current;
            try {
                current = Long.parseLong(new String(curator.getData().storingStatIn(stat).forPath(epochPath),
                        StandardCharsets.US_ASCII));
            } catch (KeeperException.NoNodeException e) {
                try {
                    curator.create().creatingParentsIfNeeded().forPath(epochPath, bytes(1));
                    record(dpid, 1);
                    return 1;
                } catch (KeeperException.NodeExistsException raced) {
                    continue;
                }
            }
            try {
                curator.setData().withVersion(stat.getVersion()).forPath(epochPath, bytes(current + 1));
                record(dpid, current + 1);
                return current + 1;
            } catch (KeeperException.BadVersionException raced) {
                // another controller advanced it: read again
            }
        }
    }

    private void record(DatapathId dpid, long epoch) throws Exception {
        byte[] data = ZkJson.write(Map.of("controllerId", controllerId, "generation", epoch));
        String master = path(dpid) + "/master";
        try {
            curator.setData().forPath(master, data);
        } catch (KeeperException.NoNodeException e) {
            curator.create().creatingParentsIfNeeded().forPath(master, data);
        }
    }

    private long currentEpochOrZero(DatapathId dpid) {
        try {
            return Long.parseLong(new String(curator.getData().forPath(path(dpid) + "/epoch"),
                    StandardCharsets.US_ASCII));
        } catch (Exception e) {
            return 0;
        }
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(LeaderLatch latch) {
        try {
            latch.close();
        } catch (Exception | Error e) {
            log.debug("closing a mastership latch", e);
        }
    }

    @Override
    public void close() {
        latches.keySet().forEach(this::leave);
        events.shutdownNow();
    }
}
