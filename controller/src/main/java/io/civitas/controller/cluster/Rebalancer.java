package io.civitas.controller.cluster;

import io.civitas.controller.agent.AgentChannel;
import io.civitas.controller.node.NodeSummaries;
import io.civitas.controller.node.NodeSummaries.NodeSummary;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Spreads agents over the live controllers. A rebalance is asked for cluster-wide by raising the version of
 * {@code /cluster/rebalance} ({@code POST /api/v1/cluster/rebalance} on any controller), and happens by
 * itself when a controller joins. Each controller then sheds what it holds above its fair share
 * (ceil(online nodes / live members)): it ends those agents' sessions a few at a time ({@link #BATCH} every
 * {@link #PACE_MILLIS} ms), and each agent reconnects to the next controller of its list.
 *
 * <p>Caveat: agents choose where they go (their own list order), so one round may leave a controller over
 * its share; the next request (or join) sheds again. Nothing is lost by a move: the new master pushes any
 * pending desired state.
 */
@Component
class Rebalancer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
    static final String REQUEST = "/cluster/rebalance";
    static final int BATCH = 5;
    static final long PACE_MILLIS = 500;
    static final long SETTLE_MILLIS = 3_000;

    /** What one controller decided to shed. */
    record Plan(String controllerId, long online, int members, long fairShare, long held, long shedding) {}

    private final CuratorFramework zk;
    private final ZooKeeperLink link;
    private final ClusterMembership membership;
    private final NodeSummaries summaries;
    private final AgentChannel agents;
    private final CuratorCache requests;
    private final CuratorCache memberWatch;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-rebalance");
        t.setDaemon(true);
        return t;
    });
    private final Deque<String> shedding = new ArrayDeque<>();
    private ScheduledFuture<?> pending;

    Rebalancer(CuratorFramework zk, ZooKeeperLink link, ClusterMembership membership, NodeSummaries summaries,
               AgentChannel agents) throws Exception {
        this.zk = zk;
        this.link = link;
        this.membership = membership;
        this.summaries = summaries;
        this.agents = agents;
        zk.createContainers("/cluster");
        this.requests = CuratorCache.build(zk, REQUEST, CuratorCache.Options.SINGLE_NODE_CACHE);
        requests.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> soon()).build());
        this.memberWatch = CuratorCache.build(zk, ClusterZnodes.MEMBERS);
        memberWatch.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(created -> {
                    if (!created.getPath().equals(ClusterZnodes.MEMBERS)
                            && !created.getPath().equals(ClusterZnodes.member(membership.controllerId()))) {
                        soon();
                    }
                })
                .afterInitialized().build());
        requests.start();
        memberWatch.start();
    }

    /** Asks every controller to rebalance (raises the request's version). */
    void request() {
        try {
            try {
                zk.setData().forPath(REQUEST, new byte[0]);
            } catch (org.apache.zookeeper.KeeperException.NoNodeException first) {
                zk.create().forPath(REQUEST, new byte[0]);
            }
        } catch (Exception e) {
            throw io.civitas.controller.system.ZooKeeperException.wrap("request a rebalance", e);
        }
    }

    /** What this controller would shed now. */
    Plan plan() {
        List<NodeSummary> nodes = summaries.all();
        long online = nodes.stream().filter(n -> n.controllerId() != null).count();
        int members = Math.max(1, membership.members().size());
        long share = (online + members - 1) / members;
        long held = nodes.stream().filter(n -> membership.controllerId().equals(n.controllerId())).count();
        return new Plan(membership.controllerId(), online, members, share, held, Math.max(0, held - share));
    }

    @Override
    public void close() {
        requests.close();
        memberWatch.close();
        thread.shutdownNow();
    }

    /** After the cluster settles (a new member's agents arrive), once. */
    private synchronized void soon() {
        if (pending == null || pending.isDone()) {
            pending = thread.schedule(this::shedExcess, SETTLE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void shedExcess() {
        if (!link.writable() || !shedding.isEmpty()) {
            return;
        }
        Plan plan = plan();
        if (plan.shedding() == 0) {
            return;
        }
        log.info("Rebalancing: {} nodes online over {} controllers, fair share {}; this one holds {} and moves {}",
                plan.online(), plan.members(), plan.fairShare(), plan.held(), plan.shedding());
        summaries.all().stream()
                .filter(n -> Objects.equals(membership.controllerId(), n.controllerId()))
                .limit(plan.shedding())
                .forEach(n -> shedding.add(n.id()));
        thread.schedule(this::shedBatch, 0, TimeUnit.MILLISECONDS);
    }

    private void shedBatch() {
        for (int i = 0; i < BATCH && !shedding.isEmpty(); i++) {
            String id = shedding.poll();
            if (link.writable()) {
                agents.disconnect(id, "rebalance: another controller of the cluster takes this node");
            }
        }
        if (!shedding.isEmpty()) {
            thread.schedule(this::shedBatch, PACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
