package io.civitas.controller.node;

import io.civitas.controller.node.Znodes.Presence;
import io.civitas.controller.node.Znodes.Reported;
import io.civitas.controller.node.Znodes.Spec;
import io.civitas.controller.cluster.ZooKeeperLink;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.WampUris;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Assembles {@link NodeView}s: one node fresh from ZooKeeper, the list from the cache. */
@Component
class NodeViews {

    private final NodeStore store;
    private final NodeStateStore states;
    private final PresenceStore presences;
    private final NodeCache cache;
    private final Readings readings;
    private final ZooKeeperLink link;

    NodeViews(NodeStore store, NodeStateStore states, PresenceStore presences, NodeCache cache, Readings readings,
              ZooKeeperLink link) {
        this.link = link;
        this.store = store;
        this.states = states;
        this.presences = presences;
        this.cache = cache;
        this.readings = readings;
    }

    /** The node read from ZooKeeper now (from the cache while ZooKeeper is lost); 404 when there is no such node. */
    NodeView get(String id) {
        if (!WampUris.isValidNodeId(id)) {
            throw NodeStore.unknown(id);
        }
        if (!link.writable()) {
            return cached(id).orElseThrow(() -> NodeStore.unknown(id));
        }
        Spec spec = store.spec(id).orElseThrow(() -> NodeStore.unknown(id)).value();
        return view(spec, states.desired(id).orElse(null), states.reported(id).orElse(null),
                presences.get(id).orElse(null));
    }

    /** All nodes, by name, as the cache has them (may lag the last milliseconds of writes). */
    List<NodeView> list() {
        return cache.ids().stream()
                .map(this::cached)
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing(NodeView::name))
                .toList();
    }

    Optional<NodeView> cached(String id) {
        return cached(id, true);
    }

    /**
     * As {@link #cached(String)}; without the desired state when {@code withDesired} is false (its generation then
     * reads 0). The policies' facts do not include it: loading a city's facts need not parse 10,000 of them.
     */
    Optional<NodeView> cached(String id, boolean withDesired) {
        return cache.node(Znodes.node(id), Spec.class).map(spec -> view(spec,
                withDesired ? states.desiredMirrorOnly(id).orElse(null) : null,
                cache.node(Znodes.reported(id), Reported.class).orElse(null),
                cache.presence(Znodes.presence(id), Presence.class).orElse(null)));
    }

    private NodeView view(Spec spec, DesiredState desired, Reported reported, Presence presence) {
        Reported r = reported == null ? Reported.NEVER : reported;
        long want = desired == null ? 0 : desired.generation();
        Long lastSeen = latest(r.lastSeenMillis(), readings.heardAt(spec.id()).orElse(null));
        NodeStatus status = presence != null ? NodeStatus.ONLINE
                : lastSeen == null ? NodeStatus.REGISTERED : NodeStatus.OFFLINE;
        NodeView.Session session = presence == null ? null : new NodeView.Session(presence.controllerId(),
                presence.remoteAddress(), Instant.ofEpochMilli(presence.sinceMillis()));
        return new NodeView(spec.id(), spec.name(), spec.kind(), spec.location(), spec.labels(), status,
                lastSeen == null ? null : Instant.ofEpochMilli(lastSeen), r.inventory(), want,
                r.appliedGeneration(), want - r.appliedGeneration(), r.protocolVersion(), session);
    }

    private static Long latest(Long a, Long b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return Math.max(a, b);
    }
}
