package io.civitas.policy;

import io.civitas.policy.decisions.Alert;
import io.civitas.policy.decisions.Decision;
import io.civitas.policy.decisions.OverlayConflict;
import io.civitas.policy.decisions.OverlayMembership;
import io.civitas.policy.decisions.Quarantine;
import io.civitas.policy.decisions.SamplingPlan;
import io.civitas.policy.decisions.ServiceExposure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/** Folds one node's decision facts into its {@link NodeDecisions}: the one place those rules of combination live. */
final class DecisionFolder {
    private DecisionFolder() {}

    static NodeDecisions fold(String nodeId, Collection<Decision> decisions) {
        TreeSet<String> overlays = new TreeSet<>();
        TreeMap<String, Long> sampling = new TreeMap<>();
        TreeSet<String> exposures = new TreeSet<>();
        List<String> alerts = new ArrayList<>();
        TreeSet<String> reasons = new TreeSet<>();
        for (Decision d : decisions) {
            if (d instanceof OverlayMembership m) {
                overlays.add(m.getOverlay());
            } else if (d instanceof SamplingPlan p) {
                sampling.merge(p.getSensor(), p.getPeriodMillis(), Math::min); // the shortest period wins
            } else if (d instanceof ServiceExposure e) {
                exposures.add(e.getService());
            } else if (d instanceof Alert a) {
                alerts.add(a.getSeverity() + ": " + a.getText());
            } else if (d instanceof Quarantine q) {
                reasons.add(q.getReason());
            }
        }
        alerts.sort(null);
        String quarantine = null;
        if (!reasons.isEmpty()) {
            quarantine = String.join("; ", reasons);
            overlays = new TreeSet<>(List.of(Quarantine.OVERLAY));
            exposures = new TreeSet<>();
        }
        return new NodeDecisions(nodeId, overlays, sampling, exposures, List.copyOf(alerts), quarantine);
    }

    static NodeDecisions empty(String nodeId) {
        return fold(nodeId, List.of());
    }

    /** Fails when the node sits in two overlays declared to conflict. */
    static void checkConflicts(NodeDecisions d, Collection<OverlayConflict> conflicts) throws PolicyRuntimeException {
        for (OverlayConflict c : conflicts) {
            if (d.overlays().contains(c.getA()) && d.overlays().contains(c.getB())) {
                throw new PolicyRuntimeException("node '" + d.nodeId() + "' is in overlays '" + c.getA() + "' and '"
                        + c.getB() + "', which the policy declares conflicting");
            }
        }
    }
}
