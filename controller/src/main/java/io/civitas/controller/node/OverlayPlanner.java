package io.civitas.controller.node;

import io.civitas.protocol.OverlayPlan;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Places nodes in overlays for {@link DesiredStates}: takes or gives back their overlay addresses and computes
 * their {@link OverlayPlan}s. Implemented by the overlay package; the node package only asks.
 */
public interface OverlayPlanner {

    /**
     * @param plans the node's plans, one per overlay it could be placed in
     * @param affected other nodes whose plans changed because this node joined or left an overlay
     */
    record Placement(List<OverlayPlan> plans, Set<String> affected) {}

    /**
     * Makes the node a member of exactly the named overlays that exist (allocating or releasing addresses, each
     * atomically in ZooKeeper) and returns its plans. An overlay that does not exist, or has no free address, gets
     * no plan; that is logged, not thrown: the rest of the node's desired state still goes out.
     */
    Placement place(String nodeId, Set<String> overlays);

    /**
     * {@link #place} for many nodes at once (a policy activation deciding for the whole city): per overlay one
     * listing of its members and the addresses taken in batches. Each node's {@code affected} holds only nodes
     * outside {@code overlaysByNode}.
     */
    default Map<String, Placement> placeAll(Map<String, Set<String>> overlaysByNode) {
        Map<String, Placement> placed = new java.util.HashMap<>();
        overlaysByNode.forEach((id, overlays) -> {
            Placement p = place(id, overlays);
            Set<String> outside = new java.util.TreeSet<>(p.affected());
            outside.removeAll(overlaysByNode.keySet());
            placed.put(id, new Placement(p.plans(), outside));
        });
        return placed;
    }

    /** The other members of every overlay the node is in: their plans name this node's underlay. */
    Set<String> peersOf(String nodeId);

    /** The node is gone: leave every overlay. Returns the nodes whose plans changed. */
    Set<String> forget(String nodeId);
}
