package io.civitas.controller.node;

import io.civitas.protocol.SamplingPlan;

import java.util.List;

/**
 * The active policies' part of a node's desired state, as stored in {@code /nodes/<id>/policy-decisions}
 * and shown by {@code GET /api/v1/nodes/{id}/decisions}: overlays it joins, sampling periods that override
 * the operator's, services it exposes, alerts, and why it is quarantined (null when it is not).
 * Lists are sorted, so equal decisions are equal records.
 */
public record PolicyDecisions(List<String> overlays, List<SamplingPlan> sampling, List<String> exposures,
                              List<String> alerts, String quarantineReason) {

    /** No active policy says anything about the node. */
    public static final PolicyDecisions NONE = new PolicyDecisions(null, null, null, null, null);

    public PolicyDecisions {
        overlays = overlays == null ? List.of() : List.copyOf(overlays);
        sampling = sampling == null ? List.of() : List.copyOf(sampling);
        exposures = exposures == null ? List.of() : List.copyOf(exposures);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
    }
}
