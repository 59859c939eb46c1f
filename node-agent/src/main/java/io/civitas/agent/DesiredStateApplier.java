package io.civitas.agent;

import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.Sensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place the agent applies a {@link DesiredState}. Level-triggered and idempotent: a generation at
 * or below the one in effect changes nothing and answers with the current {@link AppliedState}; a newer one
 * replaces labels and sampling plan. A state the node cannot honour (a sensor it does not have, a period
 * below {@link Sensors#MIN_PERIOD_MILLIS}, another node's state) is refused before anything changes.
 *
 * <p>The applied state is written to {@code <stateDir>/applied.json} before it takes effect, so a restarted
 * agent resumes its plan at once and reports its generation in hello.
 *
 * <p>Fencing: every push carries the mastership epoch its controller decided it under. The highest epoch accepted
 * is kept in applied.json with the state (one atomic write), and a push with a lower one is refused before
 * anything changes: it comes from a controller that lost the node to another, maybe without knowing it yet.
 */
final class DesiredStateApplier {
    private static final Logger log = LoggerFactory.getLogger(DesiredStateApplier.class);

    /** What applied.json holds. */
    record AppliedRecord(DesiredState desired, long appliedAtMillis, long epoch) {}

    /** A desired state this node cannot honour; the message says why, for the controller's operator. */
    static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    /** A push decided under an older mastership than one this node has accepted. */
    static final class StaleEpochException extends Exception {
        private final long held;
        private final long offered;

        StaleEpochException(long held, long offered) {
            super("mastership epoch " + offered + " is older than " + held + ", accepted already");
            this.held = held;
            this.offered = offered;
        }

        long held() {
            return held;
        }

        long offered() {
            return offered;
        }
    }

    private final String nodeId;
    private final Set<String> nodeSensors;
    private final SamplingScheduler sampling;
    private final NodeOverlays overlays;
    private final Path file;
    private final Clock clock;
    private DesiredState desired;
    private long appliedAtMillis;
    private long epoch;

    DesiredStateApplier(String nodeId, Set<String> nodeSensors, SamplingScheduler sampling, Path stateDir,
                        Clock clock) {
        this(nodeId, nodeSensors, sampling, null, stateDir, clock);
    }

    /** @param overlays where overlay plans go; null: they are recorded only */
    DesiredStateApplier(String nodeId, Set<String> nodeSensors, SamplingScheduler sampling, NodeOverlays overlays,
                        Path stateDir, Clock clock) {
        this.nodeId = nodeId;
        this.overlays = overlays;
        this.nodeSensors = Set.copyOf(nodeSensors);
        this.sampling = sampling;
        this.file = stateDir.resolve("applied.json");
        this.clock = clock;
        this.desired = new DesiredState(nodeId, 0, Map.of(), null);
    }

    /** Loads applied.json, if it is this node's and still valid, and restarts its sampling plan. */
    synchronized void resume() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            AppliedRecord record = Json.MAPPER.readValue(file.toFile(), AppliedRecord.class);
            if (record.desired() == null || !nodeId.equals(record.desired().nodeId())) {
                log.info("Ignoring {}: it belongs to another node", file);
                return;
            }
            epoch = record.epoch(); // even if the state below is no longer valid here: fencing must not forget
            validate(record.desired());
            desired = record.desired();
            appliedAtMillis = record.appliedAtMillis();
            sampling.update(desired.effectiveSampling(nodeSensors));
            log.info("Resumed generation {} from {}", desired.generation(), file);
            if (overlays != null) {
                try {
                    overlays.apply(desired.overlayPlans()); // a restarted agent finds its devices and fixes them
                } catch (RuntimeException e) {
                    log.warn("Could not re-apply the overlays of generation {}: {}; the controller's next push retries",
                            desired.generation(), e.getMessage());
                }
            }
        } catch (IOException | RefusedException e) {
            log.warn("Ignoring {}: {}; waiting for the controller's desired state", file, e.getMessage());
        }
    }

    /** A push from a controller that does not send an epoch (0): accepted only until a higher one was. */
    AppliedState apply(DesiredState next) throws RefusedException, StaleEpochException, IOException {
        return apply(next, 0);
    }

    /**
     * Applies {@code next} if it is newer and {@code pushEpoch} is not older than the highest epoch accepted;
     * returns what is in effect afterwards. A higher epoch is remembered even when the generation is not new.
     */
    synchronized AppliedState apply(DesiredState next, long pushEpoch)
            throws RefusedException, StaleEpochException, IOException {
        if (pushEpoch < epoch) {
            throw new StaleEpochException(epoch, pushEpoch);
        }
        validate(next);
        if (next.generation() <= desired.generation()) {
            if (pushEpoch > epoch) {
                write(desired, appliedAtMillis, pushEpoch);
                log.info("Mastership epoch {} (was {}) at generation {}", pushEpoch, epoch, desired.generation());
                epoch = pushEpoch;
            }
            return current();
        }
        long now = clock.millis();
        DesiredState accepted = new DesiredState(nodeId, next.generation(), next.labels(), next.sampling(),
                next.overlays(), next.exposures(), next.overlayPlans(), next.samplingDefaults(), next.defaultsVersion());
        if (overlays != null) {
            // Before the record: a generation is reported applied only once its overlays are in place. A failure
            // here refuses the generation (the controller retries); the datapath removed what it had made.
            overlays.apply(accepted.overlayPlans());
        }
        // Persist first: if the write fails, nothing has changed and the controller will retry.
        write(accepted, now, pushEpoch);
        Set<String> restarted = sampling.update(accepted.effectiveSampling(nodeSensors));
        log.info("Applied generation {} (was {}): labels {}, sampling {}, overlays {} ({} planned), exposures {}, restarted {}",
                accepted.generation(), desired.generation(), accepted.labels(), accepted.effectiveSampling(nodeSensors),
                accepted.overlays(), accepted.overlayPlans().size(), accepted.exposures(), restarted);
        desired = accepted;
        appliedAtMillis = now;
        epoch = pushEpoch;
        return current();
    }

    /**
     * The city's defaults ({@link io.civitas.protocol.WampUris#CITY_DEFAULTS}): if their version is newer than the
     * one the state in effect holds, that state with them is applied as a push of it would be (same epoch, same
     * checks). An older or equal version changes nothing, and so does any version before the first push (the
     * controller pushes the whole state, defaults included). Answers what is in effect afterwards.
     */
    synchronized AppliedState applyDefaults(SamplingDefaults defaults) throws RefusedException, IOException {
        Integer held = desired.defaultsVersion();
        if (defaults == null || desired.generation() == 0 || (held != null && defaults.version() <= held)) {
            return current();
        }
        try {
            return apply(desired.withCityDefaults(defaults), epoch);
        } catch (StaleEpochException cannot) {
            throw new IllegalStateException("the epoch in effect was refused", cannot); // same epoch: never
        }
    }

    /** The highest mastership epoch accepted (0 before any push that carried one). */
    synchronized long epoch() {
        return epoch;
    }

    private void write(DesiredState state, long atMillis, long withEpoch) throws IOException {
        StateFiles.writePrivate(file, Json.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new AppliedRecord(state, atMillis, withEpoch)));
    }

    synchronized AppliedState current() {
        return new AppliedState(nodeId, desired.generation(), appliedAtMillis);
    }

    synchronized long appliedGeneration() {
        return desired.generation();
    }

    /** The desired state in effect (generation 0, empty, before the first apply). */
    synchronized DesiredState desired() {
        return desired;
    }

    private void validate(DesiredState next) throws RefusedException {
        if (next == null) {
            throw new RefusedException("expected one DesiredState argument");
        }
        if (next.nodeId() != null && !next.nodeId().equals(nodeId)) {
            throw new RefusedException("desired state of node " + next.nodeId() + " sent to node " + nodeId);
        }
        if (next.generation() < 0) {
            throw new RefusedException("generation must not be negative, got " + next.generation());
        }
        validate(next.sampling(), "sampling", true);
        // The city's defaults name sensors of every node: one this node lacks is skipped, not refused.
        validate(next.samplingDefaults(), "samplingDefaults", false);
    }

    private void validate(List<SamplingPlan> plans, String field, boolean ownSensorsOnly) throws RefusedException {
        Set<String> seen = new HashSet<>();
        for (SamplingPlan plan : plans) {
            if (plan == null || plan.sensor() == null) {
                throw new RefusedException(field + ": an entry has no sensor");
            }
            if (ownSensorsOnly && !nodeSensors.contains(plan.sensor())) {
                throw new RefusedException(field + ": node " + nodeId + " has no sensor '" + plan.sensor()
                        + "' (it has " + new TreeSet<>(nodeSensors) + ")");
            }
            if (plan.periodMillis() < Sensors.MIN_PERIOD_MILLIS) {
                throw new RefusedException(field + ": period of '" + plan.sensor() + "' is " + plan.periodMillis()
                        + " ms, the minimum is " + Sensors.MIN_PERIOD_MILLIS + " ms");
            }
            if (!seen.add(plan.sensor())) {
                throw new RefusedException(field + ": sensor '" + plan.sensor() + "' is listed twice");
            }
        }
    }
}
