package io.civitas.controller.node;

import io.civitas.controller.node.NodeRequests.PutDesired;
import io.civitas.controller.node.Znodes.Reported;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.Inventory;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.WampUris;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/nodes/{id}/desired}, {@code /decisions} and {@code /reported}: what a node should run
 * (with a generation that rises on every real change), the policies' part of it, and what its agent
 * says it runs. PUT sets the operator's part only.
 */
@RestController
@RequestMapping("/api/v1/nodes/{id}")
class DesiredStateController {

    record ReportedView(String nodeId, long appliedGeneration, Instant appliedAt, long desiredGeneration,
                        long generationGap, Map<String, Readings.Latest> readings, Inventory inventory) {}

    private final NodeStateStore states;
    private final Readings readings;
    private final DesiredStates desiredStates;
    private final CityDefaults defaults;

    DesiredStateController(NodeStateStore states, Readings readings, DesiredStates desiredStates,
                           CityDefaults defaults) {
        this.defaults = defaults;
        this.states = states;
        this.readings = readings;
        this.desiredStates = desiredStates;
    }

    @PutMapping("/desired")
    DesiredState put(@PathVariable String id, @RequestBody PutDesired request) {
        requireValidId(id);
        NodeInput input = new NodeInput();
        Map<String, String> labels = input.labels(request.labels(), "labels");
        List<SamplingPlan> sampling = input.sampling(request.sampling(), "sampling");
        input.check();
        return defaults.effective(desiredStates.putSpec(id, labels, sampling).orElseThrow(() -> NodeStore.unknown(id)).state());
    }

    @GetMapping("/desired")
    DesiredState desired(@PathVariable String id) {
        requireValidId(id);
        return states.desired(id).orElseThrow(() -> NodeStore.unknown(id));
    }

    /** The active policies' part of the node's desired state (already merged into {@code /desired}). */
    @GetMapping("/decisions")
    PolicyDecisions decisions(@PathVariable String id) {
        requireValidId(id);
        return desiredStates.decisions(id).orElseThrow(() -> NodeStore.unknown(id));
    }

    @GetMapping("/reported")
    ReportedView reported(@PathVariable String id) {
        requireValidId(id);
        DesiredState desired = states.desired(id).orElseThrow(() -> NodeStore.unknown(id));
        Reported r = states.reported(id).orElse(Reported.NEVER);
        return new ReportedView(id, r.appliedGeneration(),
                r.appliedAtMillis() == null ? null : Instant.ofEpochMilli(r.appliedAtMillis()),
                desired.generation(), desired.generation() - r.appliedGeneration(), readings.latest(id),
                r.inventory());
    }

    private static void requireValidId(String id) {
        if (!WampUris.isValidNodeId(id)) {
            throw NodeStore.unknown(id);
        }
    }
}
