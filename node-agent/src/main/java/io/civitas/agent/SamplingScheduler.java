package io.civitas.agent;

import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.SensorReading;
import io.civitas.protocol.Sensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Samples each planned sensor at its period and hands the readings to a sink. Changing the plan touches
 * only the sensors whose period changed, so a relabel does not reset every sensor's rhythm.
 */
final class SamplingScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SamplingScheduler.class);

    private record Task(long periodMillis, ScheduledFuture<?> future) {}

    private final String nodeId;
    private final ScheduledExecutorService executor;
    private final SimulatedSensors sensors;
    private final Consumer<SensorReading> sink;
    private final Clock clock;
    private final Map<String, Task> tasks = new HashMap<>();

    SamplingScheduler(String nodeId, ScheduledExecutorService executor, SimulatedSensors sensors,
                      Consumer<SensorReading> sink, Clock clock) {
        this.nodeId = nodeId;
        this.executor = executor;
        this.sensors = sensors;
        this.sink = sink;
        this.clock = clock;
    }

    /** Makes the running schedule equal {@code plan}; returns the sensors started or restarted. */
    synchronized Set<String> update(List<SamplingPlan> plan) {
        Map<String, Long> wanted = new HashMap<>();
        plan.forEach(p -> wanted.put(p.sensor(), p.periodMillis()));
        tasks.keySet().removeIf(sensor -> {
            boolean drop = !wanted.containsKey(sensor);
            if (drop) {
                tasks.get(sensor).future().cancel(false);
            }
            return drop;
        });
        Set<String> started = new TreeSet<>();
        wanted.forEach((sensor, period) -> {
            Task current = tasks.get(sensor);
            if (current != null && current.periodMillis() == period) {
                return;
            }
            if (current != null) {
                current.future().cancel(false);
            }
            ScheduledFuture<?> future = executor.scheduleAtFixedRate(
                    () -> sampleOnce(sensor), period, period, TimeUnit.MILLISECONDS);
            tasks.put(sensor, new Task(period, future));
            started.add(sensor);
        });
        return started;
    }

    /** Sensor to period, as scheduled now. */
    synchronized Map<String, Long> periods() {
        Map<String, Long> result = new HashMap<>();
        tasks.forEach((sensor, task) -> result.put(sensor, task.periodMillis()));
        return result;
    }

    /** The running task of {@code sensor} (null when not sampled); tests compare identities. */
    synchronized ScheduledFuture<?> task(String sensor) {
        Task task = tasks.get(sensor);
        return task == null ? null : task.future();
    }

    private void sampleOnce(String sensor) {
        try {
            sink.accept(new SensorReading(nodeId, sensor, sensors.sample(sensor), Sensors.KNOWN.get(sensor),
                    clock.millis()));
        } catch (RuntimeException e) {
            // An exception would silently end a fixed-rate task; log it and keep sampling.
            log.warn("sampling {} failed: {}", sensor, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        tasks.values().forEach(task -> task.future().cancel(false));
        tasks.clear();
    }
}
