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
 * {@code GET /api/v1/topology}: the whole city graph, from the in-memory caches. ({@code GET /api/v1/cluster}
 * is the cluster package's.)
 */
@RestController
class TopologyController {

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

    /** Controller id to the number of nodes whose agent session it holds. */
    private static Map<String, Long> holders(List<NodeSummary> nodes) {
        Map<String, Long> held = new TreeMap<>();
        nodes.stream().map(NodeSummary::controllerId).filter(Objects::nonNull)
                .forEach(id -> held.merge(id, 1L, Long::sum));
        return held;
    }
}
