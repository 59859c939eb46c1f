package io.civitas.protocol;

import java.util.List;

/**
 * The city's default sampling periods at one version of their record: what the controller publishes on
 * {@link WampUris#CITY_DEFAULTS} when they change. Versions only grow; an agent takes a version newer than the one
 * its desired state holds ({@link DesiredState#withCityDefaults}) and ignores the others, so an old or repeated
 * publication changes nothing.
 */
public record SamplingDefaults(int version, List<SamplingPlan> sampling) {
    /**
     * An agent answers each message after a random pause of up to this long, not at once: the message reaches every
     * agent within moments, and ten thousand answers at once would take the controller's CPU while it is still
     * writing the message to the others. The controller waits longer than this before it pushes to a silent agent.
     */
    public static final long ANSWER_SPREAD_MILLIS = 1_000;

    public SamplingDefaults {
        sampling = sampling == null ? List.of() : List.copyOf(sampling);
    }
}
