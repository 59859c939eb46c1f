package io.civitas.controller.node;

import io.civitas.protocol.SensorReading;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest reading per node and sensor (and the recent window, {@link ReadingWindows}), and when this controller last heard from each node. Memory
 * only: a cache of what agents published here, lost on restart and not shared across controllers.
 */
@Component
class Readings {

    /** A node cannot make this cache grow without bound by inventing sensor names. */
    static final int MAX_SENSORS_PER_NODE = 64;

    record Latest(double value, String unit, long timeMillis) {}

    private final Map<String, Map<String, Latest>> latest = new ConcurrentHashMap<>();
    private final Map<String, Long> heardAt = new ConcurrentHashMap<>();
    private final ReadingWindows windows;

    Readings(ReadingWindows windows) {
        this.windows = windows;
    }

    void record(String nodeId, SensorReading reading, long receivedAtMillis) {
        heardAt.merge(nodeId, receivedAtMillis, Math::max);
        if (reading.sensor() == null) {
            return;
        }
        Map<String, Latest> sensors = latest.computeIfAbsent(nodeId, k -> new ConcurrentHashMap<>());
        if (sensors.size() < MAX_SENSORS_PER_NODE || sensors.containsKey(reading.sensor())) {
            Latest sample = new Latest(reading.value(), reading.unit(), reading.timeMillis());
            sensors.merge(reading.sensor(), sample, (old, now) -> now.timeMillis() >= old.timeMillis() ? now : old);
            windows.add(nodeId, reading.sensor(), sample);
        }
    }

    Map<String, Latest> latest(String nodeId) {
        return Map.copyOf(latest.getOrDefault(nodeId, Map.of()));
    }

    Optional<Long> heardAt(String nodeId) {
        return Optional.ofNullable(heardAt.get(nodeId));
    }

    void forget(String nodeId) {
        latest.remove(nodeId);
        heardAt.remove(nodeId);
        windows.forget(nodeId);
    }
}
