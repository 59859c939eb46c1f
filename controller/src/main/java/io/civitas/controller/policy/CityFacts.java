package io.civitas.controller.policy;

import io.civitas.controller.node.CityNodes;
import io.civitas.controller.node.CityNodes.Snapshot;
import io.civitas.policy.Evaluation;
import io.civitas.policy.facts.Node;
import io.civitas.policy.facts.SensorReading;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns the registry into the policy engine's facts: a {@link Node} per node (district = the
 * {@code district} label in lower case; tampered = label {@code tamper=true}; services = label
 * {@code services}, comma separated; sensors as {@link CityNodes} says) and its latest readings.
 */
@Component
class CityFacts {

    static final String SERVICES_LABEL = "services";

    private final CityNodes nodes;

    CityFacts(CityNodes nodes) {
        this.nodes = nodes;
    }

    /** Inserts every node of the registry and its readings into {@code evaluation}; returns what it inserted. */
    Map<String, Snapshot> loadAll(Evaluation evaluation) {
        Map<String, Snapshot> inserted = new HashMap<>();
        for (String id : nodes.ids()) {
            nodes.snapshot(id).ifPresent(snapshot -> {
                evaluation.upsert(node(snapshot));
                readings(id).forEach(evaluation::reading);
                inserted.put(id, snapshot);
            });
        }
        return inserted;
    }

    CityNodes nodes() {
        return nodes;
    }

    List<SensorReading> readings(String id) {
        return nodes.readings(id).stream()
                .map(CityFacts::reading)
                .toList();
    }

    static SensorReading reading(io.civitas.protocol.SensorReading r) {
        return new SensorReading(r.nodeId(), r.sensor(), r.value(), r.unit(), r.timeMillis());
    }

    static Node node(Snapshot s) {
        Map<String, String> labels = s.labels();
        String district = labels.getOrDefault("district", "").toLowerCase(Locale.ROOT);
        boolean tampered = "true".equalsIgnoreCase(labels.getOrDefault("tamper", ""));
        return new Node(s.id(), s.name(), s.kind(), district, labels, s.lat() == null ? 0 : s.lat(),
                s.lon() == null ? 0 : s.lon(), s.status(), s.sensors(), list(labels.get(SERVICES_LABEL)),
                s.agentVersion() == null ? "" : s.agentVersion(),
                s.protocolVersion() == null ? 0 : s.protocolVersion(), tampered);
    }

    private static Set<String> list(String label) {
        return label == null ? Set.of() : Arrays.stream(label.split(",")).map(String::trim)
                .filter(v -> !v.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }
}
