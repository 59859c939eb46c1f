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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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

    private final CuratorFramework zk;
    private final NodeStateStore states;
    private final ApplicationEventPublisher events;
    private final NodeOverlayParts overlayParts;
    private final OverlayPlanner planner;
    private final NodeCache cache;
    /** Nodes per transaction in the batched writes: each op carries under 1 KB, far below jute.maxbuffer (1 MB). */
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
     * activation): what is stored is taken from the in-memory mirror of {@code /nodes}, and the writes go in
     * transactions of {@link #BATCH} nodes, the decisions' ones each with the fence's check. One node's pass
     * costs a dozen round trips, so ten thousand nodes took minutes one by one; batched they take a few dozen
     * transactions. The mirror may lag: a desired state is written only with the version the mirror saw
     * (compare-and-set), and a batch that fails is redone node by node the careful way, from ZooKeeper.
     *
     * @return the number of nodes whose desired state changed
     */
    public int putDecisionsAll(Map<String, PolicyDecisions> all, Leadership.Fence fence) {
        if (fence == null) {
            throw new Fenced("this controller does not lead: its decisions are not stored");
        }
        int changed = 0;
        Map<String, PolicyDecisions> toStore = new TreeMap<>();
        Map<String, Boolean> storedBefore = new HashMap<>();
        for (Map.Entry<String, PolicyDecisions> e : all.entrySet()) {
            String id = e.getKey();
            if (!cache.has(Znodes.desired(id))) { // not in the mirror yet (or gone): one by one
                changed += putDecisions(id, e.getValue(), fence).orElse(false) ? 1 : 0;
                continue;
            }
            Optional<PolicyDecisions> before = cache.node(Znodes.policyDecisions(id), PolicyDecisions.class);
            if (!e.getValue().equals(before.orElse(PolicyDecisions.NONE))) {
                toStore.put(id, e.getValue());
                storedBefore.put(id, cache.has(Znodes.policyDecisions(id)));
            }
        }
        List<String> ids = List.copyOf(toStore.keySet());
        Set<String> stored = new TreeSet<>();
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + BATCH));
            try {
                List<CuratorOp> ops = new ArrayList<>();
                ops.add(zk.transactionOp().check().withVersion(fence.version()).forPath(fence.path()));
                for (String id : chunk) {
                    byte[] data = ZkJson.write(toStore.get(id));
                    String path = Znodes.policyDecisions(id);
                    ops.add(storedBefore.get(id) ? zk.transactionOp().setData().forPath(path, data)
                            : zk.transactionOp().create().forPath(path, data));
                }
                zk.transaction().forOperations(ops);
                stored.addAll(chunk);
            } catch (KeeperException.BadVersionException deposed) {
                throw new Fenced("leader epoch " + fence.version() + " is over: another controller leads; decisions "
                        + "not stored");
            } catch (KeeperException e) { // a node deleted, or the mirror behind: the careful way
                for (String id : chunk) {
                    changed += putDecisions(id, toStore.get(id), fence).orElse(false) ? 1 : 0;
                }
            } catch (Exception e) {
                throw ZooKeeperException.wrap("store policy decisions", e);
            }
        }
        return changed + recomputeAll(stored, toStore);
    }

    /** Desired states of nodes whose decisions were just stored, batched; see {@link #putDecisionsAll}. */
    private int recomputeAll(Set<String> ids, Map<String, PolicyDecisions> decisionsOf) {
        Map<String, Set<String>> wanted = new HashMap<>();
        for (String id : ids) {
            Set<String> overlays = new TreeSet<>(decisionsOf.get(id).overlays());
            cache.node(Znodes.overlayMemberships(id), NodeOverlayParts.Memberships.class)
                    .ifPresent(m -> overlays.addAll(m.overlays()));
            wanted.put(id, overlays);
        }
        Map<String, OverlayPlanner.Placement> placed = planner.placeAll(wanted);
        Set<String> affected = new TreeSet<>();
        Map<String, Versioned<DesiredState>> next = new TreeMap<>();
        int changed = 0;
        for (String id : ids) {
            OverlayPlanner.Placement placement = placed.get(id);
            affected.addAll(placement.affected());
            Optional<Versioned<DesiredState>> current = cache.versioned(Znodes.desired(id), DesiredState.class);
            if (current.isEmpty()) {
                changed += recompute(id).map(c -> c.changed() ? 1 : 0).orElse(0);
                continue;
            }
            DesiredState old = current.get().value();
            DesiredSpec spec = cache.node(Znodes.desiredSpec(id), DesiredSpec.class)
                    .orElse(new DesiredSpec(old.labels(), old.sampling()));
            DesiredState merged = merge(id, old.generation(), spec, decisionsOf.get(id), wanted.get(id), placement.plans());
            if (!merged.equals(old)) {
                next.put(id, new Versioned<>(merge(id, old.generation() + 1, spec, decisionsOf.get(id), wanted.get(id),
                        placement.plans()), current.get().version()));
            }
        }
        List<String> writes = List.copyOf(next.keySet());
        for (int from = 0; from < writes.size(); from += BATCH) {
            List<String> chunk = writes.subList(from, Math.min(writes.size(), from + BATCH));
            try {
                List<CuratorOp> ops = new ArrayList<>();
                for (String id : chunk) {
                    Versioned<DesiredState> v = next.get(id);
                    byte[] data = ZkJson.write(v.value());
                    ops.add(zk.transactionOp().setData().withVersion(v.version()).forPath(Znodes.desired(id), data));
                }
                zk.transaction().forOperations(ops);
                changed += chunk.size();
                chunk.forEach(id -> events.publishEvent(new NodeChanged(id)));
            } catch (KeeperException e) { // written meanwhile (the mirror was behind) or deleted: one by one
                for (String id : chunk) {
                    changed += recompute(id).map(c -> c.changed() ? 1 : 0).orElse(0);
                }
            } catch (Exception e) {
                throw ZooKeeperException.wrap("store desired states", e);
            }
        }
        affected.removeAll(ids);
        affected.forEach(this::recompute);
        return changed;
    }


    /** A write of a deposed leader, refused. */
    public static final class Fenced extends RuntimeException {
        Fenced(String message) {
            super(message);
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
            DesiredState merged = merge(id, old.generation(), spec, decisions, overlays, placement.plans());
            if (merged.equals(old)) {
                return Optional.of(new NodeStateStore.DesiredChange(old, false));
            }
            DesiredState next = merge(id, old.generation() + 1, spec, decisions, overlays, placement.plans());
            if (states.compareAndSet(Znodes.desired(id), next, current.get().version())) {
                events.publishEvent(new NodeChanged(id));
                return Optional.of(new NodeStateStore.DesiredChange(next, true));
            }
        }
    }

    /** Labels from the operator; per sensor the policy's period, else the operator's; the rest from policy. */
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
                    zk.transactionOp().check().withVersion(fence.version()).forPath(fence.path()),
                    exists ? zk.transactionOp().setData().forPath(path, data) : zk.transactionOp().create().forPath(path, data));
            return true;
        } catch (KeeperException.BadVersionException deposed) {
            throw new Fenced("leader epoch " + fence.version() + " is over: another controller leads; decisions of "
                    + path + " not stored");
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
