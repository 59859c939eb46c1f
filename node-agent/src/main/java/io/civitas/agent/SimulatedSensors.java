package io.civitas.agent;

import io.civitas.protocol.Sensors;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Plausible readings for a node without real hardware: slow random walks that stay in a city's range,
 * with occasional pm2.5 spikes (so thresholds in policies get crossed now and then) and parking spots
 * that change state sometimes. Thread-safe.
 */
final class SimulatedSensors {
    private static final double PM25_SPIKE_CHANCE = 0.02;
    private static final double PARKING_CHANGE_CHANCE = 0.05;

    private final Random random;
    private final Map<String, Double> last = new HashMap<>();

    SimulatedSensors(Random random) {
        this.random = random;
        last.put(Sensors.TEMPERATURE, 18 + random.nextDouble() * 7);
        last.put(Sensors.PM25, 10 + random.nextDouble() * 15);
        last.put(Sensors.NO2, 15 + random.nextDouble() * 20);
        last.put(Sensors.PARKING, random.nextBoolean() ? 1.0 : 0.0);
    }

    /** The next reading of {@code sensor}, in the unit {@link Sensors#KNOWN} names. */
    synchronized double sample(String sensor) {
        double previous = last.get(sensor);
        double next = switch (sensor) {
            case Sensors.TEMPERATURE -> walk(previous, 21.5, 0.05, 18, 25);
            case Sensors.PM25 -> random.nextDouble() < PM25_SPIKE_CHANCE
                    ? clamp(previous + 25 + random.nextDouble() * 25, 5, 80)
                    : walk(previous, 15, 0.8, 5, 80);
            case Sensors.NO2 -> walk(previous, 30, 0.6, 10, 60);
            case Sensors.PARKING -> random.nextDouble() < PARKING_CHANGE_CHANCE ? 1 - previous : previous;
            default -> throw new IllegalArgumentException("no simulated sensor " + sensor);
        };
        last.put(sensor, next);
        return Math.round(next * 10) / 10.0;
    }

    /** A Gaussian step pulled gently back towards {@code mean}, kept inside [min, max]. */
    private double walk(double value, double mean, double step, double min, double max) {
        double pull = (mean - value) * 0.02;
        return clamp(value + pull + random.nextGaussian() * step, min, max);
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }
}
