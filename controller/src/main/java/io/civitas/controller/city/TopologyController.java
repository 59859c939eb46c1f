package io.civitas.controller.city;

import io.civitas.controller.node.NodeSummaries;
import io.civitas.controller.node.NodeSummaries.NodeSummary;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/topology} (the whole city graph, from the in-memory caches) and
 * {@code GET /api/v1/cluster} (the controllers and how many nodes each holds).
 */
@RestController
class TopologyController {

    record ClusterMember(String id, String restUrl, String wampUrl, boolean leader, long nodes) {}

    record Cluster(List<ClusterMember> members, String leader) {}

    private final NodeSummaries summaries;
    private final ClusterMembers cluster;

    TopologyController(NodeSummaries summaries, ClusterMembers cluster) {
        this.summaries = summaries;
        this.cluster = cluster;
    }

    @GetMapping("/api/v1/topology")
    Topology topology(HttpServletRequest request) {
        List<NodeSummary> nodes = summaries.all();
        return Topology.of(cluster.members(request, holders(nodes).keySet()), nodes);
    }

    @GetMapping("/api/v1/cluster")
    Cluster members(HttpServletRequest request) {
        Map<String, Long> held = holders(summaries.all());
        List<ClusterMember> members = cluster.members(request, held.keySet()).stream()
                .map(m -> new ClusterMember(m.id(), m.restUrl(), m.wampUrl(), m.leader(), held.getOrDefault(m.id(), 0L)))
                .toList();
        return new Cluster(members, cluster.leaderId());
    }

    /** Controller id to the number of nodes whose agent session it holds. */
    private static Map<String, Long> holders(List<NodeSummary> nodes) {
        Map<String, Long> held = new TreeMap<>();
        nodes.stream().map(NodeSummary::controllerId).filter(Objects::nonNull)
                .forEach(id -> held.merge(id, 1L, Long::sum));
        return held;
    }
}
