package io.civitas.controller.policy;

import io.civitas.controller.node.PolicyDecisions;
import io.civitas.policy.NodeDecisions;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.Sensors;

import java.util.List;
import java.util.Set;

/**
 * The engine's decisions as the node registry stores them. Sampling a node cannot honour is left out
 * (a sensor it does not have, or one the contract does not know), and a period below the agents' minimum
 * is raised to it: an agent refuses a whole desired state for one such plan, so one careless rule would
 * otherwise stall every node it matches.
 */
final class StoredDecisions {

    private StoredDecisions() {}

    static PolicyDecisions of(NodeDecisions d, Set<String> nodeSensors) {
        if (d == null) {
            return PolicyDecisions.NONE;
        }
        List<SamplingPlan> sampling = d.samplingMillis() == null ? List.of() : d.samplingMillis().entrySet().stream()
                .filter(e -> Sensors.KNOWN.containsKey(e.getKey()) && nodeSensors.contains(e.getKey()))
                .map(e -> new SamplingPlan(e.getKey(), Math.max(Sensors.MIN_PERIOD_MILLIS, e.getValue())))
                .toList();
        return new PolicyDecisions(d.overlays() == null ? null : List.copyOf(d.overlays()), sampling,
                d.exposures() == null ? null : List.copyOf(d.exposures()), d.alerts(), d.quarantineReason());
    }
}
