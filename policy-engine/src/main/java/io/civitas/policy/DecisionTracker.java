package io.civitas.policy;

import io.civitas.policy.decisions.Decision;
import io.civitas.policy.decisions.OverlayConflict;
import org.kie.api.event.rule.ObjectDeletedEvent;
import org.kie.api.event.rule.ObjectInsertedEvent;
import org.kie.api.event.rule.ObjectUpdatedEvent;
import org.kie.api.event.rule.RuleRuntimeEventListener;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mirrors the session's decision facts per node as rules insert and truth maintenance retracts them, and
 * remembers which nodes were touched since the last evaluate: that is what makes one node's change cost
 * O(that node) rather than a scan of the city.
 */
final class DecisionTracker implements RuleRuntimeEventListener {
    // A list, not a set: truth maintenance sends one insert per distinct decision, but a plain insert() of an
    // equal object is a second fact, and its retraction must leave the first.
    private final Map<String, List<Decision>> byNode = new HashMap<>();
    private Set<String> touched = new HashSet<>();
    private final Map<OverlayConflict, Integer> conflicts = new HashMap<>();
    private boolean conflictsChanged;

    @Override
    public void objectInserted(ObjectInsertedEvent event) {
        add(event.getObject());
    }

    @Override
    public void objectDeleted(ObjectDeletedEvent event) {
        remove(event.getOldObject());
    }

    @Override
    public void objectUpdated(ObjectUpdatedEvent event) {
        remove(event.getOldObject());
        add(event.getObject());
    }

    private void add(Object o) {
        if (o instanceof Decision d) {
            String node = key(d);
            List<Decision> decisions = byNode.get(node);
            if (decisions == null) {
                decisions = new ArrayList<>(4);
                byNode.put(node, decisions);
            }
            decisions.add(d);
            touched.add(node);
        } else if (o instanceof OverlayConflict c) {
            conflicts.merge(c, 1, Integer::sum);
            conflictsChanged = true;
        }
    }

    private void remove(Object o) {
        if (o instanceof Decision d) {
            List<Decision> decisions = byNode.get(key(d));
            if (decisions != null) {
                decisions.remove(d);
                if (decisions.isEmpty()) {
                    byNode.remove(key(d));
                }
            }
            touched.add(key(d));
        } else if (o instanceof OverlayConflict c) {
            conflicts.computeIfPresent(c, (k, n) -> n > 1 ? n - 1 : null);
            conflictsChanged = true;
        }
    }

    private static String key(Decision d) {
        return d.getNodeId() == null ? "" : d.getNodeId();
    }

    void touch(String nodeId) {
        touched.add(nodeId);
    }

    List<Decision> decisionsOf(String nodeId) {
        List<Decision> decisions = byNode.get(nodeId);
        return decisions == null ? List.of() : decisions;
    }

    Set<OverlayConflict> conflicts() {
        return conflicts.keySet();
    }

    /** The nodes touched since the last call, and whether the declared conflicts changed; then forgets both. */
    Set<String> drainTouched() {
        Set<String> t = touched;
        touched = new HashSet<>(); // not clear(): after a full evaluation its table is city-sized, clearing it is O(city)
        return t;
    }

    /** Puts back what an evaluate drained but could not use, so the next evaluate looks at it again. */
    void retouch(Set<String> nodes, boolean conflictsChanged) {
        touched.addAll(nodes);
        this.conflictsChanged |= conflictsChanged;
    }

    boolean drainConflictsChanged() {
        boolean c = conflictsChanged;
        conflictsChanged = false;
        return c;
    }
}
