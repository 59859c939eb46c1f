package io.civitas.controller.city;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.civitas.controller.node.NodeSummaries.NodeSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code GET /api/v1/topology} answers: controllers, nodes, overlays and the links between them.
 * Overlay links form a star around the overlay's first member (by node id), not a full mesh, so a
 * 10,000-node overlay stays 9,999 links and renderable.
 */
record Topology(List<ClusterMembers.Member> controllers, List<NodeSummary> nodes, List<Overlay> overlays,
                List<Link> links) {

    record Overlay(String name, List<String> members) {}

    /** {@code kind} "session" (controller to node) or "overlay" (node to node, {@code overlay} set). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Link(String source, String target, String kind, String overlay) {}

    static Topology of(List<ClusterMembers.Member> controllers, List<NodeSummary> nodes) {
        List<NodeSummary> byId = nodes.stream().sorted(java.util.Comparator.comparing(NodeSummary::id)).toList();
        Map<String, List<String>> members = new TreeMap<>();
        List<Link> links = new ArrayList<>();
        for (NodeSummary node : byId) {
            if (node.controllerId() != null) {
                links.add(new Link(node.controllerId(), node.id(), "session", null));
            }
            node.overlays().forEach(o -> members.computeIfAbsent(o, k -> new ArrayList<>()).add(node.id()));
        }
        List<Overlay> overlays = new ArrayList<>();
        members.forEach((name, ids) -> {
            overlays.add(new Overlay(name, List.copyOf(ids)));
            for (int i = 1; i < ids.size(); i++) {
                links.add(new Link(ids.get(0), ids.get(i), "overlay", name));
            }
        });
        return new Topology(controllers, byId, overlays, links);
    }
}
