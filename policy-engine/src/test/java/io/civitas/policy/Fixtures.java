package io.civitas.policy;

import io.civitas.policy.facts.Node;
import io.civitas.policy.facts.SensorReading;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Small facts and policies for tests. */
final class Fixtures {
    private Fixtures() {}

    static Node board(String id, String district, String... sensors) {
        return new Node(id, id, "BOARD", district, Map.of("district", district), 0, 0, "ONLINE", Set.of(sensors),
                Set.of(), "0.1.0", 1, false);
    }

    static SensorReading reading(String nodeId, String sensor, double value) {
        return new SensorReading(nodeId, sensor, value, "", System.currentTimeMillis());
    }

    static PolicySet compile(String drl) throws PolicyCompileException {
        return Policies.compile("test", List.of(new PolicyFile("test.drl", "package t;\n" + drl)));
    }
}
