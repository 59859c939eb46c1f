package io.civitas.policy.decisions;

import java.util.Objects;

/** Expose the node's service to the city (a forwarded port, a DNS name). */
public final class ServiceExposure implements Decision {
    private final String nodeId;
    private final String service;

    public ServiceExposure(String nodeId, String service) {
        this.nodeId = nodeId;
        this.service = service;
    }

    @Override public String getNodeId() { return nodeId; }
    public String getService() { return service; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceExposure e && Objects.equals(nodeId, e.nodeId) && Objects.equals(service, e.service);
    }

    @Override public int hashCode() { return Objects.hash(nodeId, service); }
    @Override public String toString() { return "ServiceExposure[" + nodeId + " " + service + "]"; }
}
