package io.civitas.protocol;

/** Sample {@code sensor} (one of {@link Sensors#KNOWN}) every {@code periodMillis}. */
public record SamplingPlan(String sensor, long periodMillis) {}
