package io.civitas.controller.node;

import io.civitas.controller.cluster.Leadership;
import io.civitas.controller.node.Znodes.DesiredSpec;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.SamplingPlan;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The one place that computes a node's effective {@link DesiredState}: the operator's part
 * ({@code /desired-spec}: labels, sampling) merged with the policies' part ({@code /policy-decisions}:
 * sampling periods that win per sensor, overlays, exposures). Each writer stores its own part, then
 * {@link #recompute} re-reads both and writes {@code /desired} with compare-and-set, raising the
 * generation only when the effective state changed. Since every writer recomputes after its own write,
 * the last recompute always sees both latest parts, whatever the interleaving.
 */
@Component
public class DesiredStates {

    private static final Logger log = LoggerFactory.getLogger(DesiredStates.class);

    private final CuratorFramework zk;
    private final NodeStateStore states;
    private final ApplicationEventPublisher events;
    private final NodeOverlayParts overlayParts;
    private final OverlayPlanner planner;
    private final NodeCache cache;
    /** Nodes per transaction in the batched writes (a chunk also closes at {@link Chunk#MAX_BYTES}). */
    private static final int BATCH = 100;

    DesiredStates(CuratorFramework zk, NodeStateStore states, ApplicationEventPublisher events,
                  NodeOverlayParts overlayParts, OverlayPlanner planner, NodeCache cache) {
        this.cache = cache;
        this.zk = zk;
        this.states = states;
        this.events = events;
        this.overlayParts = overlayParts;
        this.planner = planner;
    }

    /**
     * Recomputes the node's desired state from what is stored (operator part, policy part, overlay memberships
     * and the members' underlays); empty when the node is gone. Everything that changes one of those inputs
     * outside this class (an overlay membership, an agent's underlay) calls it.
     */
    public Optional<NodeStateStore.DesiredChange> refresh(String id) {
        return recompute(id);
    }

    /** The node's effective desired state as stored; empty when there is no such node. */
    public Optional<DesiredState> current(String id) {
        return states.desired(id);
    }

    /**
     * Something every peer's plan names changed for this node (its underlay, or it joined an overlay outside
     * {@link OverlayPlanner#place}): recompute it and every peer.
     */
    public void refreshWithPeers(String id) {
        recompute(id);
        planner.peersOf(id).forEach(this::recompute);
    }

    /** The node was deleted: it leaves its overlays, and its former peers drop it from their plans. */
    void forgotten(String id) {
        planner.forget(id).forEach(this::recompute);
    }

    /** The operator's whole part (PUT .../desired); empty when the node does not exist. */
    Optional<NodeStateStore.DesiredChange> putSpec(String id, Map<String, String> labels, List<SamplingPlan> sampling) {
        DesiredSpec spec = new DesiredSpec(labels, sorted(sampling));
        if (!spec.equals(spec(id).orElse(null)) && !write(Znodes.desiredSpec(id), spec)) {
            return Optional.empty();
        }
        return recompute(id);
    }

    /**
     * Stores the policies' part for the node and recomputes its desired state. Empty when the node does
     * not exist (deleted meanwhile); else whether the effective desired state changed.
     */
    public Optional<Boolean> putDecisions(String id, PolicyDecisions decisions) {
        if (!decisions.equals(decisions(id).orElse(null)) && !write(Znodes.policyDecisions(id), decisions)) {
            return Optional.empty();
        }
        return recompute(id).map(NodeStateStore.DesiredChange::changed);
    }

    /**
     * {@link #putDecisions(String, PolicyDecisions)} for the leader: the decisions are stored only while
     * {@code fence} holds (no newer leader); else {@link Fenced} and nothing is written.
     */
    public Optional<Boolean> putDecisions(String id, PolicyDecisions decisions, Leadership.Fence fence) {
        if (fence == null) {
            throw new Fenced("this controller does not lead: its decisions are not stored");
        }
        if (!decisions.equals(decisions(id).orElse(null)) && !writeFenced(Znodes.policyDecisions(id), decisions, fence)) {
            return Optional.empty();
        }
        return recompute(id).map(NodeStateStore.DesiredChange::changed);
    }

    /**
     * {@link #putDecisions(String, PolicyDecisions, Leadership.Fence)} for the whole city at once (a policy
     * activation): what is stored is taken from the in-memory mirror of {@code /nodes}; overlay places are
     * taken for all nodes at once; then each transaction of {@link #BATCH} nodes holds the fence's check, their
     * decisions and their new desired states, several transactions in flight. One node's pass costs a dozen
     * round trips, so ten thousand nodes took minutes one by one; batched they take a hundred transactions,
     * and a chunk's agents get their push as soon as it commits. The mirror may lag: a desired state is written only with the version the mirror saw
     * (compare-and-set), and a batch that fails is redone node by node the careful way, from ZooKeeper.
     *
     * @return the number of nodes whose desired state changed
     */
    public int putDecisionsAll(Map<String, PolicyDecisions> all, Leadership.Fence fence) {
        if (fence == null) {
            throw new Fenced("this controller does not lead: its decisions are not stored");
        }
        long t0 = System.nanoTime();
        int changed = 0;
        Map<String, PolicyDecisions> toStore = new TreeMap<>();
        for (Map.Entry<String, PolicyDecisions> e : all.entrySet()) {
            String id = e.getKey();
            if (!cache.has(Znodes.desired(id))) { // not in the mirror yet (or gone): one by one
                changed += putDecisions(id, e.getValue(), fence).orElse(false) ? 1 : 0;
                continue;
            }
            Optional<PolicyDecisions> before = cache.node(Znodes.policyDecisions(id), PolicyDecisions.class);
            if (!e.getValue().equals(before.orElse(PolicyDecisions.NONE))) {
                toStore.put(id, e.getValue());
            }
        }
        // Overlay places first, for the whole batch (one member listing per overlay, addresses in transactions)
        Map<String, Set<String>> wanted = new HashMap<>();
        toStore.forEach((id, decisions) -> {
            Set<String> overlays = new TreeSet<>(decisions.overlays());
            cache.node(Znodes.overlayMemberships(id), NodeOverlayParts.Memberships.class)
                    .ifPresent(m -> overlays.addAll(m.overlays()));
            wanted.put(id, overlays);
        });
        Map<String, OverlayPlanner.Placement> placed = planner.placeAll(wanted);
        long t1 = System.nanoTime();
        Set<String> affected = new TreeSet<>();
        placed.values().forEach(p -> affected.addAll(p.affected()));

        // Then one transaction per chunk, sent as soon as it is built, several in flight: the fence's check, the
        // decisions, the new desired state (against the version the mirror saw). A chunk's agents get their push as
        // soon as it commits.
        Pipeline pipeline = new Pipeline(fence);
        Chunk chunk = new Chunk();
        for (String id : toStore.keySet()) {
            Optional<Versioned<DesiredState>> current = states.desiredMirroredVersioned(id);
            if (current.isEmpty()) { // deleted meanwhile: the careful way says so
                chunk.oneByOne.add(id);
                continue;
            }
            chunk.add(id, decisionOp(id, toStore.get(id)));
            DesiredState old = current.get().value();
            DesiredSpec spec = cache.node(Znodes.desiredSpec(id), DesiredSpec.class)
                    .orElse(new DesiredSpec(old.labels(), old.sampling()));
            OverlayPlanner.Placement placement = placed.get(id);
            Optional<DesiredState> next = next(old, spec, toStore.get(id), wanted.get(id), placement.plans());
            if (next.isPresent()) {
                byte[] data = ZkJson.write(next.get());
                int version = current.get().version();
                chunk.desiredChange(id, op(() -> zk.transactionOp().setData().withVersion(version)
                        .forPath(Znodes.desired(id), data)), new Versioned<>(next.get(), version + 1), data.length);
            }
            if (chunk.full()) {
                pipeline.send(chunk);
                chunk = new Chunk();
            }
        }
        pipeline.send(chunk);
        changed += pipeline.finish(toStore);
        affected.removeAll(toStore.keySet());
        affected.forEach(this::recompute);
        log.debug("Stored the decisions of {} nodes: placed in overlays in {} ms, written in {} ms ({} transactions)",
                toStore.size(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, pipeline.transactions);
        return changed;
    }

    /** A node is created with its decisions znode; only one stored before the parts were split lacks it. */
    private CuratorOp decisionOp(String id, PolicyDecisions decisions) {
        byte[] data = ZkJson.write(decisions);
        String path = Znodes.policyDecisions(id);
        return op(() -> cache.has(path) ? zk.transactionOp().setData().forPath(path, data)
                : zk.transactionOp().create().forPath(path, data));
    }

    /** Curator declares {@code Exception} on building an op, though nothing is sent yet. */
    private static CuratorOp op(Callable<CuratorOp> build) {
        try {
            return build.call();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("prepare a transaction", e);
        }
    }

    /** Transactions in flight at once: ZooKeeper commits them in order, one disk sync for several. */
    private static final int IN_FLIGHT = 8;

    /** Chunks in transactions, {@link #IN_FLIGHT} at a time; a chunk that fails is redone node by node. */
    private final class Pipeline {
        private final Leadership.Fence fence;
        private final ArrayDeque<Map.Entry<Chunk, CompletableFuture<Boolean>>> inFlight = new ArrayDeque<>();
        private final List<Chunk> failed = new ArrayList<>();
        private final List<String> oneByOne = new ArrayList<>();
        private int changed;
        int transactions;

        Pipeline(Leadership.Fence fence) {
            this.fence = fence;
        }

        void send(Chunk chunk) {
            oneByOne.addAll(chunk.oneByOne);
            if (chunk.ops.isEmpty()) {
                return;
            }
            while (inFlight.size() >= IN_FLIGHT) {
                settleHead();
            }
            inFlight.add(Map.entry(chunk, submit(chunk, fence)));
            transactions++;
            while (!inFlight.isEmpty() && inFlight.peek().getValue().isDone()) {
                settleHead(); // committed already: push those now
            }
        }

        private void settleHead() {
            Map.Entry<Chunk, CompletableFuture<Boolean>> head = inFlight.poll();
            if (head.getValue().join()) {
                changed += head.getKey().desiredChanged.size();
                head.getKey().desiredChanged.forEach((id, v) -> {
                    states.committed(id, v.value(), v.version());
                    events.publishEvent(new NodeChanged(id));
                });
            } else {
                failed.add(head.getKey());
            }
        }

        /** Waits for the rest; the number of nodes whose desired state changed. */
        int finish(Map<String, PolicyDecisions> toStore) {
            while (!inFlight.isEmpty()) {
                settleHead();
            }
            if (!failed.isEmpty() && !fenceHolds(fence)) {
                throw Fenced.deposed(fence, "decisions not stored");
            }
            // A node deleted, or the mirror behind (a desired state written meanwhile): the careful way
            failed.forEach(c -> oneByOne.addAll(c.ids));
            for (String id : oneByOne) {
                changed += putDecisions(id, toStore.get(id), fence).orElse(false) ? 1 : 0;
            }
            return changed;
        }
    }

    private CompletableFuture<Boolean> submit(Chunk chunk, Leadership.Fence fence) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        List<CuratorOp> ops = new ArrayList<>(chunk.ops.size() + 1);
        ops.add(fenceCheck(fence));
        ops.addAll(chunk.ops);
        try {
            zk.transaction().inBackground((client, event) ->
                    done.complete(event.getResultCode() == KeeperException.Code.OK.intValue())).forOperations(ops);
        } catch (Exception e) {
            throw ZooKeeperException.wrap("store policy decisions", e);
        }
        return done;
    }

    /** The op that makes a transaction fail once another controller leads. */
    private CuratorOp fenceCheck(Leadership.Fence fence) {
        return op(() -> zk.transactionOp().check().withVersion(fence.version()).forPath(fence.path()));
    }

    private boolean fenceHolds(Leadership.Fence fence) {
        try {
            Stat stat = zk.checkExists().forPath(fence.path());
            return stat != null && stat.getVersion() == fence.version();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("check the leader's fence", e);
        }
    }

    /** One transaction's worth of nodes: bounded in nodes and in bytes (jute.maxbuffer is 1 MB). */
    private static final class Chunk {
        private static final int MAX_BYTES = 512 * 1024;
        final List<String> ids = new ArrayList<>();
        final List<CuratorOp> ops = new ArrayList<>();
        final Map<String, Versioned<DesiredState>> desiredChanged = new TreeMap<>();
        final List<String> oneByOne = new ArrayList<>();
        private int bytes;

        void add(String id, CuratorOp decisions) {
            ids.add(id);
            ops.add(decisions);
            bytes += 512; // a node's decisions: well under this
        }

        void desiredChange(String id, CuratorOp write, Versioned<DesiredState> next, int size) {
            ops.add(write);
            desiredChanged.put(id, next);
            bytes += size;
        }

        boolean full() {
            return ids.size() >= BATCH || bytes >= MAX_BYTES;
        }
    }

    /** A write of a deposed leader, refused. */
    public static final class Fenced extends RuntimeException {
        Fenced(String message) {
            super(message);
        }

        static Fenced deposed(Leadership.Fence fence, String what) {
            return new Fenced("leader epoch " + fence.version() + " is over: another controller leads; " + what);
        }
    }

    /** The policies' part; {@link PolicyDecisions#NONE} for a node that has none yet, empty when no such node. */
    public Optional<PolicyDecisions> decisions(String id) {
        Optional<PolicyDecisions> stored = states.read(Znodes.policyDecisions(id), PolicyDecisions.class)
                .map(Versioned::value);
        return stored.isPresent() || !exists(Znodes.node(id)) ? stored : Optional.of(PolicyDecisions.NONE);
    }

    /** The operator's part; for a node stored before parts were split, what its desired state held. */
    Optional<DesiredSpec> spec(String id) {
        Optional<DesiredSpec> stored = states.read(Znodes.desiredSpec(id), DesiredSpec.class).map(Versioned::value);
        if (stored.isPresent()) {
            return stored;
        }
        return states.desired(id).map(d -> new DesiredSpec(d.labels(), d.sampling()));
    }

    /** Writes {@code /desired} from both parts if they changed it; empty when the node is gone. */
    Optional<NodeStateStore.DesiredChange> recompute(String id) {
        Set<String> affected = new TreeSet<>();
        Optional<NodeStateStore.DesiredChange> result = recomputeOnly(id, affected);
        // A node that joined or left an overlay changes its peers' plans: recompute them (they do not cascade
        // further, since their own memberships stay as they are).
        affected.remove(id);
        affected.forEach(other -> recomputeOnly(other, new TreeSet<>()));
        return result;
    }

    private Optional<NodeStateStore.DesiredChange> recomputeOnly(String id, Set<String> affected) {
        while (true) {
            Optional<Versioned<DesiredState>> current = states.read(Znodes.desired(id), DesiredState.class);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            DesiredState old = current.get().value();
            DesiredSpec spec = spec(id).orElse(DesiredSpec.EMPTY);
            PolicyDecisions decisions = decisions(id).orElse(PolicyDecisions.NONE);
            Set<String> overlays = new TreeSet<>(decisions.overlays());
            overlays.addAll(overlayParts.memberships(id));
            OverlayPlanner.Placement placement = planner.place(id, overlays);
            affected.addAll(placement.affected());
            Optional<DesiredState> next = next(old, spec, decisions, overlays, placement.plans());
            if (next.isEmpty()) {
                return Optional.of(new NodeStateStore.DesiredChange(old, false));
            }
            if (states.compareAndSet(Znodes.desired(id), next.get(), current.get().version())) {
                events.publishEvent(new NodeChanged(id));
                return Optional.of(new NodeStateStore.DesiredChange(next.get(), true));
            }
        }
    }

    /** Labels from the operator; per sensor the policy's period, else the operator's; the rest from policy. */
    /** The state that follows {@code old} from these parts, one generation up; empty when they change nothing. */
    private static Optional<DesiredState> next(DesiredState old, DesiredSpec spec, PolicyDecisions decisions,
                                               Set<String> overlays, List<OverlayPlan> plans) {
        if (merge(old.nodeId(), old.generation(), spec, decisions, overlays, plans).equals(old)) {
            return Optional.empty();
        }
        return Optional.of(merge(old.nodeId(), old.generation() + 1, spec, decisions, overlays, plans));
    }

    static DesiredState merge(String id, long generation, DesiredSpec spec, PolicyDecisions decisions) {
        return merge(id, generation, spec, decisions, new TreeSet<>(decisions.overlays()), List.of());
    }

    /** As above, with the overlays from policies and operators together and the node's plans in them. */
    static DesiredState merge(String id, long generation, DesiredSpec spec, PolicyDecisions decisions,
                              Set<String> overlays, List<OverlayPlan> plans) {
        Map<String, Long> periods = new TreeMap<>();
        spec.sampling().forEach(p -> periods.put(p.sensor(), p.periodMillis()));
        decisions.sampling().forEach(p -> periods.put(p.sensor(), p.periodMillis()));
        List<SamplingPlan> sampling = periods.entrySet().stream()
                .map(e -> new SamplingPlan(e.getKey(), e.getValue())).toList();
        return new DesiredState(id, generation, spec.labels(), sampling, List.copyOf(new TreeSet<>(overlays)),
                List.copyOf(new TreeSet<>(decisions.exposures())),
                plans.stream().sorted(Comparator.comparing(OverlayPlan::overlay)).toList());
    }

    private static List<SamplingPlan> sorted(List<SamplingPlan> sampling) {
        return sampling.stream().sorted(Comparator.comparing(SamplingPlan::sensor)).toList();
    }

    /** Sets or creates the znode; false when the node itself is gone. */
    private boolean write(String path, Object value) {
        byte[] data = ZkJson.write(value);
        try {
            zk.setData().forPath(path, data);
            return true;
        } catch (KeeperException.NoNodeException missing) {
            try { // a node stored before parts were split
                zk.create().forPath(path, data);
                return true;
            } catch (KeeperException.NoNodeException nodeGone) {
                return false;
            } catch (KeeperException.NodeExistsException raced) {
                return write(path, value);
            } catch (Exception e) {
                throw ZooKeeperException.wrap("create " + path, e);
            }
        } catch (Exception e) {
            throw ZooKeeperException.wrap("write " + path, e);
        }
    }

    /** Sets or creates the znode together with the fence's check, in one transaction; false when the node is gone. */
    private boolean writeFenced(String path, Object value, Leadership.Fence fence) {
        byte[] data = ZkJson.write(value);
        boolean exists = exists(path);
        try {
            zk.transaction().forOperations(
                    fenceCheck(fence),
                    exists ? zk.transactionOp().setData().forPath(path, data) : zk.transactionOp().create().forPath(path, data));
            return true;
        } catch (KeeperException.BadVersionException deposed) {
            throw Fenced.deposed(fence, "decisions of " + path + " not stored");
        } catch (KeeperException.NoNodeException nodeGone) {
            if (!exists(Znodes.node(pathNode(path)))) {
                return false;
            }
            return writeFenced(path, value, fence); // raced with a delete of the part alone: look again
        } catch (KeeperException.NodeExistsException raced) {
            return writeFenced(path, value, fence);
        } catch (Exception e) {
            throw ZooKeeperException.wrap("write " + path, e);
        }
    }

    private static String pathNode(String path) {
        String rest = path.substring(Znodes.NODES.length() + 1);
        return rest.substring(0, rest.indexOf('/'));
    }

    private boolean exists(String path) {
        try {
            return zk.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("check " + path, e);
        }
    }
}
