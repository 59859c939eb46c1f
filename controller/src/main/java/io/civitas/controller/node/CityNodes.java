package io.civitas.controller.node;

import io.civitas.controller.node.Znodes.DesiredSpec;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.SensorReading;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registry as the policy evaluator reads it: every node with what policies may ask about it, and its
 * latest readings. Read from the cache (it may lag a write by milliseconds; a {@link NodeChanged} follows
 * each change, so a reader that re-reads on events catches up).
 *
 * <p>A node's sensors: the label {@code sensors} (comma separated, e.g. {@code pm25,no2}) when it has one;
 * else the sensors the operator's sampling plan names plus those it has sent readings of. The operator's
 * plan, not the effective one, so that a policy's own sampling cannot feed back into what it sees.
 */
@Component
public class CityNodes {

    /** What the registry knows of one node, in plain types. */
    public record Snapshot(String id, String name, String kind, Map<String, String> labels, Double lat, Double lon,
                           String status, String agentVersion, Integer protocolVersion, Set<String> sensors) {}

    public static final String SENSORS_LABEL = "sensors";

    private final NodeCache cache;
    private final NodeViews views;
    private final Readings readings;

    CityNodes(NodeCache cache, NodeViews views, Readings readings) {
        this.cache = cache;
        this.views = views;
        this.readings = readings;
    }

    public List<String> ids() {
        return cache.ids();
    }

    /** Empty when the node is not (or no longer) in the registry. */
    public Optional<Snapshot> snapshot(String id) {
        return views.cached(id, false).map(view -> new Snapshot(view.id(), view.name(), view.kind().name(), view.labels(),
                view.location() == null ? null : view.location().lat(),
                view.location() == null ? null : view.location().lon(),
                view.status().name(), view.inventory() == null ? null : view.inventory().agentVersion(),
                view.protocolVersion(), sensors(id, view.labels())));
    }

    /** The latest reading per sensor that reached this controller. */
    public List<SensorReading> readings(String id) {
        return readings.latest(id).entrySet().stream()
                .map(e -> new SensorReading(id, e.getKey(), e.getValue().value(), e.getValue().unit(),
                        e.getValue().timeMillis()))
                .toList();
    }

    Set<String> sensors(String id, Map<String, String> labels) {
        String label = labels.get(SENSORS_LABEL);
        Set<String> sensors = new TreeSet<>();
        if (label != null) {
            Arrays.stream(label.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(sensors::add);
            return sensors;
        }
        cache.node(Znodes.desiredSpec(id), DesiredSpec.class)
                .or(() -> cache.node(Znodes.desired(id), DesiredState.class)
                        .map(d -> new DesiredSpec(d.labels(), d.sampling())))
                .ifPresent(spec -> spec.sampling().stream().map(SamplingPlan::sensor).forEach(sensors::add));
        sensors.addAll(readings.latest(id).keySet());
        return sensors;
    }
}
