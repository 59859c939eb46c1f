package io.civitas.controller.overlay;

import io.civitas.controller.node.NodeOverlayParts;
import io.civitas.controller.node.OverlayPlanner;
import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.Member;
import io.civitas.overlay.Overlay;
import io.civitas.overlay.OverlayException;
import io.civitas.overlay.OverlayPlans;
import io.civitas.overlay.OverlayRegistry;
import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Puts nodes in overlays: addresses from overlay-net's {@link AddressAllocator} (atomic in ZooKeeper), plans from
 * {@link OverlayPlans} over the members whose agents told their underlay. A member whose agent has not said hello
 * yet has no underlay: it is left out of its peers' plans until it has (then it is put in, by
 * {@code DesiredStates.refreshWithPeers}).
 */
@Component
class OverlayPlacement implements OverlayPlanner {
    private static final Logger log = LoggerFactory.getLogger(OverlayPlacement.class);

    private final OverlayRegistry registry;
    private final AddressAllocator allocator;
    private final NodeOverlayParts parts;
    private final OverlaySettings settings;

    OverlayPlacement(OverlayRegistry registry, AddressAllocator allocator, NodeOverlayParts parts, OverlaySettings settings) {
        this.registry = registry;
        this.allocator = allocator;
        this.parts = parts;
        this.settings = settings;
    }

    @Override
    public Placement place(String nodeId, Set<String> wanted) {
        Set<String> affected = new TreeSet<>();
        List<Overlay> joined = new ArrayList<>();
        for (Overlay overlay : registry.list()) {
            boolean member = allocator.member(overlay.name(), nodeId).isPresent();
            if (wanted.contains(overlay.name())) {
                if (!member) {
                    try {
                        Member m = allocator.allocate(overlay.name(), nodeId);
                        log.info("Node {} joined overlay {} as {}", nodeId, overlay.name(), m.address());
                    } catch (OverlayException e) {
                        log.warn("Node {} cannot join overlay {}: {}", nodeId, overlay.name(), e.getMessage());
                        continue;
                    }
                    othersIn(overlay.name(), nodeId, affected);
                }
                joined.add(overlay);
            } else if (member) {
                allocator.release(overlay.name(), nodeId);
                log.info("Node {} left overlay {}", nodeId, overlay.name());
                othersIn(overlay.name(), nodeId, affected);
            }
        }
        List<OverlayPlan> plans = new ArrayList<>();
        Underlay own = parts.underlay(nodeId).orElse(null);
        if (own != null) {
            for (Overlay overlay : joined) {
                planOf(overlay, nodeId).ifPresent(plans::add);
            }
        }
        return new Placement(plans, affected);
    }

    @Override
    public Map<String, Placement> placeAll(Map<String, Set<String>> wanted) {
        Map<String, List<OverlayPlan>> plans = new HashMap<>();
        Map<String, Set<String>> affected = new HashMap<>();
        wanted.keySet().forEach(id -> {
            plans.put(id, new ArrayList<>());
            affected.put(id, new TreeSet<>());
        });
        for (Overlay overlay : registry.list()) {
            List<Member> before = allocator.members(overlay.name());
            Set<String> joining = new TreeSet<>();
            Set<String> leaving = new TreeSet<>();
            Set<String> staying = new TreeSet<>();
            for (Member m : before) {
                Set<String> w = wanted.get(m.nodeId());
                if (w != null && !w.contains(overlay.name())) {
                    leaving.add(m.nodeId());
                }
            }
            Set<String> memberIds = new TreeSet<>();
            before.forEach(m -> memberIds.add(m.nodeId()));
            wanted.forEach((id, w) -> {
                if (w.contains(overlay.name())) {
                    (memberIds.contains(id) ? staying : joining).add(id);
                }
            });
            if (!leaving.isEmpty()) {
                allocator.releaseAll(overlay.name(), before.stream().filter(m -> leaving.contains(m.nodeId())).toList());
                log.info("{} nodes left overlay {}", leaving.size(), overlay.name());
            }
            Set<String> joined = new TreeSet<>(staying);
            if (!joining.isEmpty()) {
                AddressAllocator.Allocation allocation = allocator.allocateAll(overlay.name(), joining);
                allocation.refused().forEach((id, why) -> log.warn("Node {} cannot join overlay {}: {}", id, overlay.name(), why));
                joined.addAll(allocation.members().keySet());
                log.info("{} nodes joined overlay {}", allocation.members().size(), overlay.name());
            }
            boolean changed = !leaving.isEmpty() || joined.size() > staying.size();
            List<Member> after = changed ? allocator.members(overlay.name()) : before;
            if (changed) { // every member outside the batch, and those who left, see the change in their plans
                Set<String> others = new TreeSet<>(leaving);
                after.forEach(m -> others.add(m.nodeId()));
                others.removeAll(wanted.keySet());
                Set<String> moved = new TreeSet<>(leaving);
                moved.addAll(joined);
                moved.removeAll(staying);
                moved.forEach(id -> affected.get(id).addAll(others));
            }
            Map<String, Underlay> underlays = parts.underlays(after.stream().map(Member::nodeId).toList());
            for (String id : joined) {
                if (underlays.containsKey(id)) {
                    planOf(overlay, id, after, underlays).ifPresent(plans.get(id)::add);
                }
            }
        }
        Map<String, Placement> placed = new HashMap<>();
        wanted.keySet().forEach(id -> placed.put(id, new Placement(plans.get(id), affected.get(id))));
        return placed;
    }

    /** The node's plan in the overlay over the members whose underlay is known; empty when it cannot have one. */
    Optional<OverlayPlan> planOf(Overlay overlay, String nodeId) {
        List<Member> all = allocator.members(overlay.name());
        Map<String, Underlay> underlays = new HashMap<>();
        for (Member m : all) {
            parts.underlay(m.nodeId()).ifPresent(u -> underlays.put(m.nodeId(), u));
        }
        return planOf(overlay, nodeId, all, underlays);
    }

    private Optional<OverlayPlan> planOf(Overlay overlay, String nodeId, List<Member> all,
                                                   Map<String, Underlay> known) {
        Map<String, Underlay> underlays = new HashMap<>();
        List<Member> members = new ArrayList<>();
        for (Member m : all) {
            Underlay u = known.get(m.nodeId());
            if (u == null) {
                continue;
            }
            if (!u.behindNat() || settings.hasRelay() || m.nodeId().equals(nodeId)) {
                underlays.put(m.nodeId(), u);
                members.add(m);
            } else {
                log.warn("Node {} is behind NAT and this controller runs no relay (--relay-address): it is left "
                        + "out of overlay {}", m.nodeId(), overlay.name());
            }
        }
        try {
            return Optional.of(OverlayPlans.forNode(overlay, nodeId, members, underlays, relay()));
        } catch (OverlayException e) {
            log.warn("No plan for node {} in overlay {}: {}", nodeId, overlay.name(), e.getMessage());
            return Optional.empty();
        }
    }

    OverlayPlan.Endpoint relay() {
        return settings.hasRelay() ? new OverlayPlan.Endpoint(settings.relayAddress(), settings.relayPort()) : null;
    }

    @Override
    public Set<String> peersOf(String nodeId) {
        Set<String> peers = new TreeSet<>();
        for (Overlay overlay : registry.list()) {
            if (allocator.member(overlay.name(), nodeId).isPresent()) {
                othersIn(overlay.name(), nodeId, peers);
            }
        }
        return peers;
    }

    @Override
    public Set<String> forget(String nodeId) {
        Set<String> affected = new TreeSet<>();
        for (Overlay overlay : registry.list()) {
            if (allocator.release(overlay.name(), nodeId)) {
                othersIn(overlay.name(), nodeId, affected);
            }
        }
        return affected;
    }

    private void othersIn(String overlay, String nodeId, Set<String> into) {
        allocator.members(overlay).stream().map(Member::nodeId).filter(id -> !id.equals(nodeId)).forEach(into::add);
    }
}
