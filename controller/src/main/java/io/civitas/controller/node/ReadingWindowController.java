package io.civitas.controller.node;

import io.civitas.controller.system.ApiException;
import io.civitas.protocol.Sensors;
import io.civitas.protocol.WampUris;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * {@code GET /api/v1/nodes/{id}/readings?sensor=pm25}: the recent window of one sensor, oldest first
 * (what reached this controller; empty for a known sensor with no readings yet). Caches only.
 */
@RestController
class ReadingWindowController {

    record Sample(long timeMillis, double value, String unit) {}

    private final ReadingWindows windows;
    private final NodeCache cache;
    private final NodeStore store;

    ReadingWindowController(ReadingWindows windows, NodeCache cache, NodeStore store) {
        this.windows = windows;
        this.cache = cache;
        this.store = store;
    }

    @GetMapping("/api/v1/nodes/{id}/readings")
    List<Sample> readings(@PathVariable String id, @RequestParam(required = false) String sensor) {
        if (!WampUris.isValidNodeId(id) || !known(id)) {
            throw NodeStore.unknown(id);
        }
        if (sensor == null || sensor.isBlank()) {
            throw ApiException.invalid("sensor", "required: one of " + String.join(", ", Sensors.KNOWN.keySet()));
        }
        return windows.window(id, sensor)
                .map(w -> w.stream().map(r -> new Sample(r.timeMillis(), r.value(), r.unit())).toList())
                .orElseGet(() -> {
                    if (!Sensors.KNOWN.containsKey(sensor)) {
                        throw ApiException.invalid("sensor", "unknown sensor '" + sensor + "'; known: "
                                + String.join(", ", new java.util.TreeSet<>(Sensors.KNOWN.keySet())));
                    }
                    return List.of();
                });
    }

    /** The cache first; ZooKeeper only for a node so new the cache may not have it yet. */
    private boolean known(String id) {
        return cache.node(Znodes.node(id), Znodes.Spec.class).isPresent() || store.spec(id).isPresent();
    }
}
