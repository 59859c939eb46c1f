package io.civitas.controller.node;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.civitas.controller.node.NodeRequests.CreateNode;
import io.civitas.controller.node.NodeRequests.PatchNode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/** {@code /api/v1/nodes}: the node registry (admin token required). */
@RestController
@RequestMapping("/api/v1/nodes")
class NodeController {

    record CreatedNode(@JsonUnwrapped NodeView node, String enrollmentToken, Instant enrollmentExpiresAt) {}

    record EnrollmentToken(String nodeId, String enrollmentToken, Instant enrollmentExpiresAt) {}

    private final NodeRegistry registry;
    private final NodeViews views;

    NodeController(NodeRegistry registry, NodeViews views) {
        this.registry = registry;
        this.views = views;
    }

    @PostMapping
    ResponseEntity<CreatedNode> create(@RequestBody CreateNode request) {
        NodeRegistry.Created created = registry.create(request);
        return ResponseEntity.created(URI.create("/api/v1/nodes/" + created.node().id()))
                .body(new CreatedNode(created.node(), created.enrollment().token(), created.enrollment().expiresAt()));
    }

    /** A plain JSON array, sorted by name. */
    @GetMapping
    List<NodeView> list() {
        return views.list();
    }

    @GetMapping("/{id}")
    NodeView get(@PathVariable String id) {
        return views.get(id);
    }

    @PatchMapping("/{id}")
    NodeView update(@PathVariable String id, @RequestBody PatchNode request) {
        return registry.update(id, request);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        registry.delete(id);
        return ResponseEntity.noContent().build();
    }

    /** A new one-time token for the node's agent; its current credential stays valid until the token is used. */
    @PostMapping("/{id}/enrollment")
    ResponseEntity<EnrollmentToken> reissue(@PathVariable String id) {
        Enrollments.Issued issued = registry.reissueEnrollment(id);
        return ResponseEntity.status(201).body(new EnrollmentToken(id, issued.token(), issued.expiresAt()));
    }
}
