package io.civitas.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What would change for one node between two sets of decisions: the controller's dry-run shows this to a
 * planner before a policy version is activated. A node missing on one side counts as having no decisions.
 */
public record DecisionDiff(String nodeId, SortedSet<String> overlaysAdded, SortedSet<String> overlaysRemoved,
                           SortedMap<String, SamplingChange> sampling, SortedSet<String> exposuresAdded,
                           SortedSet<String> exposuresRemoved, List<String> alertsAdded, List<String> alertsRemoved,
                           String quarantineBefore, String quarantineAfter) {

    /** A sensor's sampling period before and after, in ms; null where there is none. */
    public record SamplingChange(Long beforeMillis, Long afterMillis) {}

    /** Per node, only the nodes whose decisions differ, sorted by node id. */
    public static SortedMap<String, DecisionDiff> between(Map<String, NodeDecisions> before,
                                                          Map<String, NodeDecisions> after) {
        Set<String> ids = new HashSet<>(before.keySet());
        ids.addAll(after.keySet());
        SortedMap<String, DecisionDiff> diffs = new TreeMap<>();
        for (String id : ids) {
            NodeDecisions b = before.getOrDefault(id, DecisionFolder.empty(id));
            NodeDecisions a = after.getOrDefault(id, DecisionFolder.empty(id));
            if (!b.equals(a)) {
                diffs.put(id, of(b, a));
            }
        }
        return diffs;
    }

    static DecisionDiff of(NodeDecisions b, NodeDecisions a) {
        SortedMap<String, SamplingChange> sampling = new TreeMap<>();
        Set<String> sensors = new TreeSet<>(b.samplingMillis().keySet());
        sensors.addAll(a.samplingMillis().keySet());
        for (String s : sensors) {
            Long was = b.samplingMillis().get(s);
            Long now = a.samplingMillis().get(s);
            if (!Objects.equals(was, now)) {
                sampling.put(s, new SamplingChange(was, now));
            }
        }
        return new DecisionDiff(a.nodeId(), minus(a.overlays(), b.overlays()), minus(b.overlays(), a.overlays()),
                sampling, minus(a.exposures(), b.exposures()), minus(b.exposures(), a.exposures()),
                List.copyOf(minus(a.alerts(), b.alerts())), List.copyOf(minus(b.alerts(), a.alerts())),
                b.quarantineReason(), a.quarantineReason());
    }

    private static SortedSet<String> minus(java.util.Collection<String> x, java.util.Collection<String> y) {
        SortedSet<String> out = new TreeSet<>(x);
        out.removeAll(new ArrayList<>(y));
        return out;
    }

    /** True when nothing differs (never the case for a diff that {@link #between} returns). */
    public boolean isEmpty() {
        return overlaysAdded.isEmpty() && overlaysRemoved.isEmpty() && sampling.isEmpty() && exposuresAdded.isEmpty()
                && exposuresRemoved.isEmpty() && alertsAdded.isEmpty() && alertsRemoved.isEmpty()
                && Objects.equals(quarantineBefore, quarantineAfter);
    }
}
