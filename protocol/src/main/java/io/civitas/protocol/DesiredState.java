package io.civitas.protocol;

import java.util.List;
import java.util.Map;

/**
 * What a node should be, at a generation. The controller raises the generation on every change;
 * an agent applying the same generation twice changes nothing.
 *
 * <p>{@code labels} and {@code sampling} come from the operator ({@code PUT .../desired}) merged with
 * the active policies' decisions; {@code overlays} (the virtual networks the node joins) and
 * {@code exposures} (the services it exposes) come from policies or an operator's overlay membership.
 * {@code overlayPlans} holds one {@link OverlayPlan} per overlay of {@code overlays} that exists and gave the
 * node an address; an overlay named without a plan is one the controller could not place the node in (not
 * defined, or its address pool is full).
 */
public record DesiredState(String nodeId, long generation, Map<String, String> labels, List<SamplingPlan> sampling,
                           List<String> overlays, List<String> exposures, List<OverlayPlan> overlayPlans) {
    public DesiredState {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        sampling = sampling == null ? List.of() : List.copyOf(sampling);
        overlays = overlays == null ? List.of() : List.copyOf(overlays);
        exposures = exposures == null ? List.of() : List.copyOf(exposures);
        overlayPlans = overlayPlans == null ? List.of() : List.copyOf(overlayPlans);
    }

    /** A desired state without overlay plans. */
    public DesiredState(String nodeId, long generation, Map<String, String> labels, List<SamplingPlan> sampling,
                        List<String> overlays, List<String> exposures) {
        this(nodeId, generation, labels, sampling, overlays, exposures, List.of());
    }

    /** A desired state without policy-made parts. */
    public DesiredState(String nodeId, long generation, Map<String, String> labels, List<SamplingPlan> sampling) {
        this(nodeId, generation, labels, sampling, List.of(), List.of());
    }
}
