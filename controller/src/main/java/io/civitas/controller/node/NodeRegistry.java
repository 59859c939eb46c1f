package io.civitas.controller.node;

import io.civitas.controller.agent.AgentChannel;
import io.civitas.controller.node.NodeRequests.CreateNode;
import io.civitas.controller.node.NodeRequests.PatchNode;
import io.civitas.controller.node.Znodes.Spec;
import io.civitas.controller.system.Secrets;
import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.Map;

/** The operator's side of the registry: create, change and delete nodes, and hand out enrollment tokens. */
@Service
class NodeRegistry {

    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

    /** A new node and the one-time token its agent enrolls with. */
    record Created(NodeView node, Enrollments.Issued enrollment) {}

    private final NodeStore store;
    private final NodeViews views;
    private final Enrollments enrollments;
    private final PresenceStore presences;
    private final Readings readings;
    private final AgentChannel agents;
    private final Clock clock;
    private final DesiredStates desiredStates;

    NodeRegistry(NodeStore store, NodeViews views, Enrollments enrollments, PresenceStore presences,
                 Readings readings, AgentChannel agents, Clock clock, DesiredStates desiredStates) {
        this.store = store;
        this.views = views;
        this.enrollments = enrollments;
        this.presences = presences;
        this.readings = readings;
        this.agents = agents;
        this.clock = clock;
        this.desiredStates = desiredStates;
    }

    Created create(CreateNode request) {
        NodeInput input = new NodeInput();
        String name = input.name(request.name(), "name");
        NodeKind kind = input.kind(request.kind(), "kind");
        Location location = input.location(request.location(), "location");
        Map<String, String> labels = input.labels(request.labels(), "labels");
        input.check();
        while (true) {
            String id = newId();
            Enrollments.Issued issued = enrollments.issue(id);
            if (store.create(new Spec(id, name, kind, location, labels, clock.millis()), issued.record())) {
                log.info("Registered node {} '{}' ({})", id, name, kind);
                return new Created(views.get(id), issued);
            }
        }
    }

    NodeView update(String id, PatchNode request) {
        requireValidId(id);
        NodeInput input = new NodeInput();
        String name = request.name() == null ? null : input.name(request.name(), "name");
        if (request.kind() != null) {
            input.problem("kind", "cannot be changed; delete the node and register it again");
        }
        Location location = input.location(request.location(), "location");
        Map<String, String> labels = request.labels() == null ? null : input.labels(request.labels(), "labels");
        input.check();
        store.update(id, spec -> new Spec(spec.id(), name == null ? spec.name() : name, spec.kind(),
                location == null ? spec.location() : location, labels == null ? spec.labels() : labels,
                spec.createdAtMillis()));
        return views.get(id);
    }

    void delete(String id) {
        requireValidId(id);
        if (!store.delete(id)) {
            throw NodeStore.unknown(id);
        }
        presences.forget(id);
        readings.forget(id);
        desiredStates.forgotten(id);
        agents.disconnect(id, "node deleted");
        log.info("Deleted node {}", id);
    }

    Enrollments.Issued reissueEnrollment(String id) {
        requireValidId(id);
        return enrollments.reissue(id);
    }

    /** "n" + 12 hex digits: a valid WAMP URI component; uniqueness is the ZooKeeper create's job. */
    private static String newId() {
        return "n" + Secrets.randomHex(12);
    }

    private static void requireValidId(String id) {
        if (!WampUris.isValidNodeId(id)) {
            throw NodeStore.unknown(id);
        }
    }
}
