package io.civitas.protocol;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
 *
 * <p>{@code samplingDefaults} are the city's default periods ({@code PUT /api/v1/city/defaults}), the same for
 * every node: the agent samples each sensor it has at the period {@code sampling} names, else at the default
 * for it; defaults for sensors it does not have are not its business and do not make it refuse the state.
 * {@code defaultsVersion} is the version of the city's defaults record they come from (null: no record), which
 * adds {@code defaultsVersion + 1} to the generation: an agent given a newer record ({@link SamplingDefaults}, the
 * {@link WampUris#CITY_DEFAULTS} topic) works out the generation it leads to by itself ({@link #generationWith}).
 */
public record DesiredState(String nodeId, long generation, Map<String, String> labels, List<SamplingPlan> sampling,
                           List<String> overlays, List<String> exposures, List<OverlayPlan> overlayPlans,
                           List<SamplingPlan> samplingDefaults, Integer defaultsVersion) {
    public DesiredState {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        sampling = sampling == null ? List.of() : List.copyOf(sampling);
        overlays = overlays == null ? List.of() : List.copyOf(overlays);
        exposures = exposures == null ? List.of() : List.copyOf(exposures);
        overlayPlans = overlayPlans == null ? List.of() : List.copyOf(overlayPlans);
        samplingDefaults = samplingDefaults == null ? List.of() : List.copyOf(samplingDefaults);
    }

    /** A desired state without city defaults. */
    public DesiredState(String nodeId, long generation, Map<String, String> labels, List<SamplingPlan> sampling,
                        List<String> overlays, List<String> exposures, List<OverlayPlan> overlayPlans) {
        this(nodeId, generation, labels, sampling, overlays, exposures, overlayPlans, List.of(), null);
    }

    /**
     * This state with {@code defaults} in place of the city's defaults it holds (if any), at the generation they
     * lead to ({@link #generationWith}).
     */
    public DesiredState withCityDefaults(SamplingDefaults defaults) {
        return new DesiredState(nodeId, generationWith(generation, defaultsVersion, defaults.version()), labels,
                sampling, overlays, exposures, overlayPlans, defaults.sampling(), defaults.version());
    }

    /**
     * The generation of a state at {@code generation} that held the defaults record at {@code heldVersion} (null:
     * none), once it takes the record at {@code version}: the stored generation (without what the held record
     * added) plus {@code version + 1}.
     */
    public static long generationWith(long generation, Integer heldVersion, int version) {
        long stored = heldVersion == null ? generation : generation - heldVersion - 1L;
        return stored + version + 1L;
    }

    /**
     * The periods in effect on a node with {@code sensors}: its own plan, and the defaults for the sensors it has
     * that the plan does not name; by sensor.
     */
    public List<SamplingPlan> effectiveSampling(Set<String> sensors) {
        Map<String, SamplingPlan> bySensor = new TreeMap<>();
        samplingDefaults.stream().filter(p -> p != null && sensors.contains(p.sensor()))
                .forEach(p -> bySensor.put(p.sensor(), p));
        sampling.forEach(p -> bySensor.put(p.sensor(), p));
        return List.copyOf(bySensor.values());
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
