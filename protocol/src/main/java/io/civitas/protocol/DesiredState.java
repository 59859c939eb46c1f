package io.civitas.protocol;

import java.util.List;
import java.util.Map;

/**
 * What a node should be, at a generation. The controller raises the generation on every change;
 * an agent applying the same generation twice changes nothing.
 */
public record DesiredState(String nodeId, long generation, Map<String, String> labels, List<SamplingPlan> sampling) {
    public DesiredState {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        sampling = sampling == null ? List.of() : List.copyOf(sampling);
    }
}
