package io.civitas.protocol;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The city's default sampling periods at one version of their record: what the controller publishes on
 * {@link WampUris#CITY_DEFAULTS} when they change. Versions only grow; an agent takes a version newer than the one
 * its desired state holds ({@link DesiredState#withCityDefaults}) and ignores the others, so an old or repeated
 * publication changes nothing.
 */
public record SamplingDefaults(int version, List<SamplingPlan> sampling) {
    /**
     * An agent answers each message after a random pause ({@link #answerPauseMillis}), not at once: the message
     * reaches every agent within moments, and answers that come while the controller is still writing the message
     * to the others take its CPU from that (ten thousand agents: about 0.15 s of writing on two cores). So no answer
     * comes before {@code ANSWER_PAUSE_MIN_MILLIS}, and the answers are spread over the {@code ANSWER_SPREAD_MILLIS}
     * after it. The controller waits longer than both before it pushes to a silent agent.
     */
    public static final long ANSWER_PAUSE_MIN_MILLIS = 500;
    public static final long ANSWER_SPREAD_MILLIS = 1_000;

    public SamplingDefaults {
        sampling = sampling == null ? List.of() : List.copyOf(sampling);
    }

    /** How long an agent waits before it answers a message: at least the minimum, spread over the next second. */
    public static long answerPauseMillis(RandomGenerator random) {
        return ANSWER_PAUSE_MIN_MILLIS + random.nextLong(ANSWER_SPREAD_MILLIS);
    }
}
