package io.civitas.controller.cluster;

import io.civitas.controller.system.ControllerIdentity;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link Leadership} with Curator's LeaderLatch under {@code /cluster/leader}. On winning, the leader raises
 * {@code /cluster/leader-epoch} and takes its new version as its epoch; only then are listeners told.
 * Start-up waits (bounded) until an election has a result, so that a lone controller leads before its
 * first policy activation is installed.
 */
@Component
class ClusterLeader implements Leadership, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterLeader.class);
    private static final long SETTLE_MILLIS = 10_000;

    private final CuratorFramework zk;
    private final ZooKeeperLink link;
    private final String controllerId;
    private final LeaderLatch latch;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cluster-leadership");
        t.setDaemon(true);
        return t;
    });
    private volatile long epoch = -1;
    private volatile String lastLeaderId;
    private volatile long lastTerm = -1;

    ClusterLeader(CuratorFramework zk, ZooKeeperLink link, ControllerIdentity identity) throws Exception {
        this.zk = zk;
        this.link = link;
        this.controllerId = identity.id();
        this.latch = new LeaderLatch(zk, ClusterZnodes.LEADER, controllerId, LeaderLatch.CloseMode.NOTIFY_LEADER);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                won();
            }

            @Override
            public void notLeader() {
                lost();
            }
        }, events);
        latch.start();
        awaitElection();
    }

    @Override
    public boolean isLeader() {
        return epoch >= 0 && latch.hasLeadership();
    }

    @Override
    public long epoch() {
        return isLeader() ? epoch : -1;
    }

    @Override
    public long term() {
        if (isLeader() || !link.writable()) {
            return isLeader() ? epoch : lastTerm;
        }
        try {
            Stat stat = zk.checkExists().forPath(ClusterZnodes.LEADER_EPOCH);
            lastTerm = stat == null ? -1 : stat.getVersion();
        } catch (Exception unreachable) {
            // the last one seen
        }
        return lastTerm;
    }

    @Override
    public String leaderId() {
        if (isLeader()) {
            return controllerId;
        }
        if (!link.writable()) {
            return lastLeaderId; // never block a caller on a lost ZooKeeper
        }
        try {
            Participant leader = latch.getLeader();
            lastLeaderId = leader.isLeader() ? leader.getId() : null;
        } catch (Exception unreachable) {
            // the last one seen
        }
        return lastLeaderId;
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void close() throws Exception {
        latch.close();
        events.shutdown();
    }

    private void won() {
        try {
            Stat stat;
            byte[] me = controllerId.getBytes(StandardCharsets.UTF_8);
            try {
                stat = zk.setData().forPath(ClusterZnodes.LEADER_EPOCH, me);
            } catch (KeeperException.NoNodeException first) {
                zk.create().creatingParentsIfNeeded().forPath(ClusterZnodes.LEADER_EPOCH, me);
                stat = zk.checkExists().forPath(ClusterZnodes.LEADER_EPOCH);
            }
            epoch = stat.getVersion();
        } catch (Exception e) {
            // The latch still says leader; without an epoch this controller cannot act as one. Give the
            // leadership back: another (or this one again) wins and raises the epoch.
            log.warn("Won the election but could not raise the leader epoch ({}); stepping down", e.toString());
            epoch = -1;
            restartLatch();
            return;
        }
        lastLeaderId = controllerId;
        log.info("This controller ({}) leads the cluster, epoch {}", controllerId, epoch);
        tell(true, epoch);
    }

    private void lost() {
        long was = epoch;
        epoch = -1;
        log.info("This controller ({}) no longer leads (was epoch {})", controllerId, was);
        tell(false, -1);
    }

    private void tell(boolean leader, long term) {
        for (Listener listener : listeners) {
            try {
                listener.leadershipChanged(leader, term);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // At shutdown the latch closes after listeners' executors: nothing left to tell them.
                log.debug("A leadership listener has stopped: {}", stopped.toString());
            } catch (RuntimeException e) {
                log.warn("A leadership listener failed: {}", e.toString());
            }
        }
    }

    private void restartLatch() {
        events.execute(() -> {
            try {
                // LeaderLatch cannot be restarted; leaving and re-joining is the same participant id later.
                zk.delete().guaranteed().forPath(latch.getOurPath());
            } catch (Exception e) {
                log.debug("Could not leave the election: {}", e.toString());
            }
        });
    }

    private void awaitElection() throws InterruptedException {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (isLeader()) {
                return;
            }
            try {
                Participant leader = latch.getLeader();
                if (leader.isLeader() && !leader.getId().equals(controllerId)) {
                    lastLeaderId = leader.getId();
                    return;
                }
            } catch (Exception notYet) {
                // no participant yet
            }
            Thread.sleep(20);
        }
        log.warn("No cluster leader after {} ms; going on (one is elected in the background)", SETTLE_MILLIS);
    }
}
