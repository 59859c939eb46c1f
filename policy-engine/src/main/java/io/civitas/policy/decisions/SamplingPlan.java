package io.civitas.policy.decisions;

import java.util.Objects;

/** Sample the node's sensor every {@code periodMillis}. When rules disagree, the shortest period wins. */
public final class SamplingPlan implements Decision {
    private final String nodeId;
    private final String sensor;
    private final long periodMillis;

    public SamplingPlan(String nodeId, String sensor, long periodMillis) {
        this.nodeId = nodeId;
        this.sensor = sensor;
        this.periodMillis = periodMillis;
    }

    @Override public String getNodeId() { return nodeId; }
    public String getSensor() { return sensor; }
    public long getPeriodMillis() { return periodMillis; }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingPlan p && periodMillis == p.periodMillis && Objects.equals(nodeId, p.nodeId)
                && Objects.equals(sensor, p.sensor);
    }

    @Override public int hashCode() { return Objects.hash(nodeId, sensor, periodMillis); }
    @Override public String toString() { return "SamplingPlan[" + nodeId + " " + sensor + " " + periodMillis + " ms]"; }
}
