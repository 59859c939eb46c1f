package io.civitas.policy;

import io.civitas.policy.facts.Node;
import io.civitas.policy.facts.SensorReading;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One long-lived KieSession over the city. Facts are kept by id (a node's readings by sensor) so an update
 * is an update of the same FactHandle; rules' decisions are logical inserts, so Drools' truth maintenance
 * retracts them when they stop holding, and {@link DecisionTracker} sees which nodes that touched.
 */
final class DroolsEvaluation implements Evaluation {
    private final KieSession session;
    private final FiringGuard guard = new FiringGuard();
    private final DecisionTracker tracker = new DecisionTracker();
    private final Map<String, FactHandle> nodes = new HashMap<>();
    private final Map<String, Map<String, FactHandle>> readings = new HashMap<>();
    private final Map<String, NodeDecisions> current = new HashMap<>();
    private int readingCount;
    private boolean broken;

    DroolsEvaluation(KieSession session) {
        this.session = session;
        session.addEventListener(tracker);
    }

    @Override
    public void upsert(Node node) {
        FactHandle handle = nodes.get(node.getId());
        if (handle == null) {
            nodes.put(node.getId(), session.insert(node));
        } else {
            session.update(handle, node);
        }
        tracker.touch(node.getId());
    }

    @Override
    public void remove(String nodeId) {
        FactHandle handle = nodes.remove(nodeId);
        if (handle != null) {
            session.delete(handle);
        }
        Map<String, FactHandle> own = readings.remove(nodeId);
        if (own != null) {
            own.values().forEach(session::delete);
            readingCount -= own.size();
        }
        tracker.touch(nodeId);
    }

    @Override
    public void reading(SensorReading reading) {
        Map<String, FactHandle> own = readings.computeIfAbsent(reading.getNodeId(), k -> new HashMap<>());
        FactHandle handle = own.get(reading.getSensor());
        if (handle == null) {
            own.put(reading.getSensor(), session.insert(reading));
            readingCount++;
        } else {
            session.update(handle, reading);
        }
    }

    @Override
    public Map<String, NodeDecisions> evaluate() throws PolicyRuntimeException {
        if (broken) {
            throw new PolicyRuntimeException("this evaluation failed before; start a new one");
        }
        long bound = maxFirings();
        int fired;
        try {
            fired = session.fireAllRules((int) Math.min(Integer.MAX_VALUE - 1, bound + 1));
        } catch (RuntimeException e) { // a consequence threw (Drools' message names the rule)
            broken = true;
            throw new PolicyRuntimeException("a rule failed: " + e.getMessage());
        }
        if (fired > bound) {
            broken = true;
            throw new PolicyRuntimeException("rule '" + culprit() + "' kept firing: more than " + bound
                    + " firings; does it modify a fact it matches?");
        }
        Set<String> touched = tracker.drainTouched();
        Map<String, NodeDecisions> changed = new HashMap<>();
        for (String nodeId : touched) {
            NodeDecisions now = DecisionFolder.fold(nodeId, tracker.decisionsOf(nodeId));
            NodeDecisions before = current.get(nodeId);
            if (!nodes.containsKey(nodeId)) {
                if (before != null) { // the node left: report it emptied once, then forget it
                    changed.put(nodeId, DecisionFolder.empty(nodeId));
                }
                continue;
            }
            if (!now.equals(before)) {
                changed.put(nodeId, now);
            }
        }
        boolean declarationsChanged = tracker.drainConflictsChanged();
        try {
            checkConflicts(changed, declarationsChanged);
        } catch (PolicyRuntimeException e) {
            // Drools' state is sound; only these results are refused. Look at the same nodes next time.
            tracker.retouch(touched, declarationsChanged);
            throw e;
        }
        for (Map.Entry<String, NodeDecisions> e : changed.entrySet()) {
            if (nodes.containsKey(e.getKey())) {
                current.put(e.getKey(), e.getValue());
            } else {
                current.remove(e.getKey());
            }
        }
        return changed;
    }

    /**
     * Which rule loops: watch a few more firings. Counting every firing on the normal path would put an
     * agenda listener (an event object per match) on the hot path; a loop is still looping when we look.
     */
    private String culprit() {
        session.addEventListener(guard);
        try {
            session.fireAllRules(CULPRIT_FIRINGS);
        } catch (RuntimeException e) {
            // the counts so far still name the busiest rule
        }
        session.removeEventListener(guard);
        return guard.busiestRule();
    }

    private static final int CULPRIT_FIRINGS = 1000;

    private void checkConflicts(Map<String, NodeDecisions> changed, boolean declarationsChanged)
            throws PolicyRuntimeException {
        if (tracker.conflicts().isEmpty()) {
            return;
        }
        // New conflict declarations concern every node; otherwise only the changed ones can newly conflict.
        Iterable<NodeDecisions> toCheck = declarationsChanged ? allAfter(changed).values() : changed.values();
        for (NodeDecisions d : toCheck) {
            DecisionFolder.checkConflicts(d, tracker.conflicts());
        }
    }

    private Map<String, NodeDecisions> allAfter(Map<String, NodeDecisions> changed) {
        Map<String, NodeDecisions> all = new HashMap<>(current);
        all.putAll(changed);
        return all;
    }

    /** Enough for any sane policy (a few firings per fact), small enough to stop a loop within seconds. */
    long maxFirings() {
        return 1000L + 100L * (nodes.size() + readingCount);
    }

    @Override
    public Map<String, NodeDecisions> decisions() {
        return Map.copyOf(current);
    }

    @Override
    public void close() {
        session.dispose();
    }
}
