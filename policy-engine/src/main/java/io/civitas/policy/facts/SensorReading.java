package io.civitas.policy.facts;

/** The latest reading of one sensor on one node; a newer reading of the same sensor replaces it. */
public final class SensorReading {
    private final String nodeId;
    private final String sensor;
    private final double value;
    private final String unit;
    private final long timeMillis;

    public SensorReading(String nodeId, String sensor, double value, String unit, long timeMillis) {
        this.nodeId = nodeId;
        this.sensor = sensor;
        this.value = value;
        this.unit = unit;
        this.timeMillis = timeMillis;
    }

    public String getNodeId() { return nodeId; }
    public String getSensor() { return sensor; }
    public double getValue() { return value; }
    public String getUnit() { return unit; }
    public long getTimeMillis() { return timeMillis; }

    @Override
    public String toString() {
        return "SensorReading[" + nodeId + " " + sensor + "=" + value + " " + unit + "]";
    }
}
