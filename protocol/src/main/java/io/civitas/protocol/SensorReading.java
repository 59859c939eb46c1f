package io.civitas.protocol;

/** One sample, published by the agent on {@link WampUris#telemetry(String)}. */
public record SensorReading(String nodeId, String sensor, double value, String unit, long timeMillis) {}
