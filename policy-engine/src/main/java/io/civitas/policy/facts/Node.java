package io.civitas.policy.facts;

import java.util.Map;
import java.util.Set;

/**
 * A node of the city as rules see it. Immutable: a change is an update of the fact.
 * Plain getters (not a record) so DRL and DSL constraints read {@code Node( kind == "BOARD" )}.
 */
public final class Node {
    private final String id;
    private final String name;
    private final String kind;
    private final String district;
    private final Map<String, String> labels;
    private final double lat;
    private final double lon;
    private final String status;
    private final Set<String> sensors;
    private final Set<String> services;
    private final String agentVersion;
    private final int protocolVersion;
    private final boolean tampered;

    public Node(String id, String name, String kind, String district, Map<String, String> labels, double lat, double lon,
                String status, Set<String> sensors, Set<String> services, String agentVersion, int protocolVersion,
                boolean tampered) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.district = district;
        this.labels = labels == null ? Map.of() : Map.copyOf(labels);
        this.lat = lat;
        this.lon = lon;
        this.status = status;
        this.sensors = sensors == null ? Set.of() : Set.copyOf(sensors);
        this.services = services == null ? Set.of() : Set.copyOf(services);
        this.agentVersion = agentVersion;
        this.protocolVersion = protocolVersion;
        this.tampered = tampered;
    }

    public String getId() { return id; }
    public String getName() { return name; }
    /** BOARD or VM. */
    public String getKind() { return kind; }
    /** The {@code district} label, lower case, or "" when the node has none. */
    public String getDistrict() { return district == null ? "" : district; }
    public Map<String, String> getLabels() { return labels; }
    public double getLat() { return lat; }
    public double getLon() { return lon; }
    /** REGISTERED, ONLINE or OFFLINE. */
    public String getStatus() { return status; }
    /** Sensors the node has (temperature, pm25, no2, parking). */
    public Set<String> getSensors() { return sensors; }
    public Set<String> getServices() { return services; }
    /** The agent's version string, or "" before it reported. */
    public String getAgentVersion() { return agentVersion == null ? "" : agentVersion; }
    public int getProtocolVersion() { return protocolVersion; }
    /** The node reported tampering (a label {@code tamper=true} for now). */
    public boolean isTampered() { return tampered; }

    public boolean hasSensor(String sensor) { return sensors.contains(sensor); }

    /**
     * The agent reported a version older than {@code minimum} (dotted numbers, compared part by part).
     * False before the agent reported: an unknown version is not evidence of an old one.
     */
    public boolean agentOlderThan(String minimum) { return Versions.older(getAgentVersion(), minimum); }

    /** The label's value, or "" when the node has no such label (so a rule can compare without a null check). */
    public String label(String key) { return labels.getOrDefault(key, ""); }

    @Override
    public String toString() {
        return "Node[" + id + " " + kind + " " + getDistrict() + " sensors=" + sensors + "]";
    }
}
