package io.civitas.controller.node;

import io.civitas.protocol.DesiredState;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Nodes as the topology view draws them, read from the cache only (never one ZooKeeper read per node,
 * so 10,000 nodes answer fast). Like every cache read it may lag a write by milliseconds; a
 * {@link NodeChanged} follows each change, so a reader that re-reads on events catches up.
 */
@Component
public class NodeSummaries {

    /**
     * One node: status, generations, which controller holds its session (null when it has none), the
     * overlays its effective desired state puts it in, and its sensors as {@link CityNodes} sees them.
     */
    public record NodeSummary(String id, String name, String kind, String status, Location location,
                              String district, Map<String, String> labels, long desiredGeneration,
                              long appliedGeneration, long generationGap, String controllerId,
                              List<String> overlays, List<String> sensors) {}

    private final NodeCache cache;
    private final NodeViews views;
    private final CityNodes cityNodes;

    NodeSummaries(NodeCache cache, NodeViews views, CityNodes cityNodes) {
        this.cache = cache;
        this.views = views;
        this.cityNodes = cityNodes;
    }

    public List<NodeSummary> all() {
        List<NodeSummary> all = new ArrayList<>();
        for (String id : cache.ids()) {
            summary(id).ifPresent(all::add);
        }
        return all;
    }

    /** Empty when the node is not (or no longer) in the registry. */
    public Optional<NodeSummary> summary(String id) {
        return views.cached(id).map(view -> {
            List<String> overlays = cache.node(Znodes.desired(id), DesiredState.class)
                    .map(DesiredState::overlays).orElse(List.of());
            return new NodeSummary(view.id(), view.name(), view.kind().name(), view.status().name(),
                    view.location(), view.labels().get("district"), view.labels(), view.desiredGeneration(),
                    view.appliedGeneration(), view.generationGap(),
                    view.session() == null ? null : view.session().controllerId(), overlays,
                    List.copyOf(cityNodes.sensors(id, view.labels())));
        });
    }
}
