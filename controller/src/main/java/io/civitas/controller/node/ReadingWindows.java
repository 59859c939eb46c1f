package io.civitas.controller.node;

import org.springframework.stereotype.Component;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent readings per node and sensor, oldest first: the last {@link #SIZE} that reached this
 * controller, for the node panel's small chart. Memory only, like {@link Readings}; bounded per sensor
 * here and in sensors per node by {@link Readings#MAX_SENSORS_PER_NODE}, which decides what gets here.
 */
@Component
class ReadingWindows {

    static final int SIZE = 120;

    private final Map<String, Map<String, ArrayDeque<Readings.Latest>>> windows = new ConcurrentHashMap<>();

    void add(String nodeId, String sensor, Readings.Latest sample) {
        ArrayDeque<Readings.Latest> window = windows.computeIfAbsent(nodeId, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(sensor, k -> new ArrayDeque<>(SIZE + 1));
        synchronized (window) {
            insertInTimeOrder(window, sample);
            while (window.size() > SIZE) {
                window.pollFirst();
            }
        }
    }

    /** Empty when this node never sent a reading of that sensor here. */
    Optional<List<Readings.Latest>> window(String nodeId, String sensor) {
        ArrayDeque<Readings.Latest> window = windows.getOrDefault(nodeId, Map.of()).get(sensor);
        if (window == null) {
            return Optional.empty();
        }
        synchronized (window) {
            return Optional.of(List.copyOf(window));
        }
    }

    void forget(String nodeId) {
        windows.remove(nodeId);
    }

    /** Readings mostly arrive in order; a late one is slotted in from the newest end. */
    private static void insertInTimeOrder(ArrayDeque<Readings.Latest> window, Readings.Latest sample) {
        if (window.isEmpty() || window.peekLast().timeMillis() <= sample.timeMillis()) {
            window.addLast(sample);
            return;
        }
        List<Readings.Latest> newer = new ArrayList<>();
        for (Iterator<Readings.Latest> it = window.descendingIterator(); it.hasNext(); ) {
            Readings.Latest r = it.next();
            if (r.timeMillis() <= sample.timeMillis()) {
                break;
            }
            newer.add(r);
            it.remove();
        }
        window.addLast(sample);
        for (int i = newer.size() - 1; i >= 0; i--) {
            window.addLast(newer.get(i));
        }
    }
}
