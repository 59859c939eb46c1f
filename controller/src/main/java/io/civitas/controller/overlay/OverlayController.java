package io.civitas.controller.overlay;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.civitas.controller.node.DesiredStates;
import io.civitas.controller.node.NodeOverlayParts;
import io.civitas.controller.system.ApiException;
import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.Member;
import io.civitas.overlay.Overlay;
import io.civitas.overlay.OverlayException;
import io.civitas.overlay.OverlayRegistry;
import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.OverlayStatus;
import io.civitas.protocol.Underlay;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/v1/overlays}: virtual networks, their members, the members' plans and what their agents see.
 * Membership set here is the operator's; policies add theirs (a node is in an overlay when either puts it
 * there). Every refusal happens before anything is written: a bad field, a taken VNI, an overlapping CIDR
 * (checked and written in one ZooKeeper transaction), a full address pool, a member that is not a node.
 */
@RestController
class OverlayController {

    @JsonIgnoreProperties(ignoreUnknown = true)
    record OverlayBody(String name, Integer vni, String cidr, Integer mtu) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record MemberBody(String node) {}

    record OverlaySummary(String name, int vni, String cidr, int mtu, int members) {}

    record MemberView(String node, String address, String mac, String vtep, Boolean behindNat, String datapath,
                      OverlayStatus.Overlay status) {}

    record OverlayView(String name, int vni, String cidr, int mtu, List<MemberView> members) {}

    record MembershipView(String overlay, String node, boolean member, String address) {}

    private final OverlayRegistry registry;
    private final AddressAllocator allocator;
    private final NodeOverlayParts parts;
    private final DesiredStates desiredStates;
    private final OverlayStatuses statuses;

    OverlayController(OverlayRegistry registry, AddressAllocator allocator, NodeOverlayParts parts,
                      DesiredStates desiredStates, OverlayStatuses statuses) {
        this.registry = registry;
        this.allocator = allocator;
        this.parts = parts;
        this.desiredStates = desiredStates;
        this.statuses = statuses;
    }

    @PostMapping("/api/v1/overlays")
    ResponseEntity<OverlayView> create(@RequestBody OverlayBody body) {
        if (body.name() == null) {
            throw ApiException.invalid("name", "missing");
        }
        if (body.vni() == null) {
            throw ApiException.invalid("vni", "missing");
        }
        Overlay overlay = call(() -> new Overlay(body.name(), body.vni(), body.cidr(),
                body.mtu() == null ? Overlay.DEFAULT_MTU : body.mtu()));
        call(() -> {
            registry.create(overlay);
            return null;
        });
        return ResponseEntity.status(HttpStatus.CREATED).body(view(overlay));
    }

    @GetMapping("/api/v1/overlays")
    List<OverlaySummary> list() {
        return registry.list().stream().map(o -> new OverlaySummary(o.name(), o.vni(), o.cidr(), o.mtu(),
                allocator.members(o.name()).size())).toList();
    }

    @GetMapping("/api/v1/overlays/{name}")
    OverlayView get(@PathVariable String name) {
        return view(overlay(name));
    }

    /** Deletes the overlay and its allocations in one transaction, then every former member drops its devices. */
    @DeleteMapping("/api/v1/overlays/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        overlay(name);
        List<String> members = allocator.members(name).stream().map(Member::nodeId).toList();
        if (!call(() -> registry.delete(name))) {
            throw ApiException.notFound("no overlay '" + name + "'");
        }
        for (String node : members) {
            parts.setMembership(node, name, false);
            desiredStates.refresh(node);
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/v1/overlays/{name}/members")
    List<MemberView> members(@PathVariable String name) {
        return view(overlay(name)).members();
    }

    /** Puts a node in the overlay: its address is taken now (so a full pool is refused here), its plan follows. */
    @PostMapping("/api/v1/overlays/{name}/members")
    ResponseEntity<MembershipView> addMember(@PathVariable String name, @RequestBody MemberBody body) {
        Overlay overlay = overlay(name);
        String node = body.node();
        if (node == null || node.isBlank()) {
            throw ApiException.invalid("node", "missing: the id of the node to put in overlay " + name);
        }
        if (!parts.exists(node)) {
            throw ApiException.invalid("node", "'" + node + "' is not a node (GET /api/v1/nodes lists them)");
        }
        boolean wasMember = allocator.member(name, node).isPresent();
        Member member = call(() -> allocator.allocate(overlay.name(), node));
        if (!parts.setMembership(node, name, true)) {
            if (!wasMember) {
                allocator.release(name, node); // the node was deleted meanwhile: give the address back
            }
            throw ApiException.invalid("node", "'" + node + "' is not a node (deleted meanwhile)");
        }
        // Its address was taken here, not by the planner: the peers learn of it through this refresh.
        desiredStates.refreshWithPeers(node);
        return ResponseEntity.status(wasMember ? HttpStatus.OK : HttpStatus.CREATED)
                .body(new MembershipView(name, node, true, member.address()));
    }

    /**
     * Takes the operator's membership away. The node stays a member while an active policy puts it there; the
     * answer says which.
     */
    @DeleteMapping("/api/v1/overlays/{name}/members/{node}")
    MembershipView removeMember(@PathVariable String name, @PathVariable String node) {
        overlay(name);
        if (!parts.exists(node)) {
            throw ApiException.notFound("no node '" + node + "'");
        }
        parts.setMembership(node, name, false);
        desiredStates.refresh(node);
        return allocator.member(name, node)
                .map(m -> new MembershipView(name, node, true, m.address()))
                .orElse(new MembershipView(name, node, false, null));
    }

    /** Each member's plan in this overlay, as its desired state carries it. */
    @GetMapping("/api/v1/overlays/{name}/plans")
    List<OverlayPlan> plans(@PathVariable String name) {
        overlay(name);
        List<OverlayPlan> plans = new ArrayList<>();
        for (Member m : allocator.members(name)) {
            desiredStates.current(m.nodeId()).ifPresent(d -> d.overlayPlans().stream()
                    .filter(p -> p.overlay().equals(name)).forEach(plans::add));
        }
        return plans;
    }

    private OverlayView view(Overlay overlay) {
        List<MemberView> members = new ArrayList<>();
        for (Member m : allocator.members(overlay.name())) {
            Underlay u = parts.underlay(m.nodeId()).orElse(null);
            members.add(new MemberView(m.nodeId(), m.address(), m.mac(), u == null ? null : u.address(),
                    u == null ? null : u.behindNat(), u == null ? null : u.datapath(),
                    statuses.of(m.nodeId(), overlay.name()).orElse(null)));
        }
        return new OverlayView(overlay.name(), overlay.vni(), overlay.cidr(), overlay.mtu(), members);
    }

    private Overlay overlay(String name) {
        return registry.get(name).orElseThrow(() -> ApiException.notFound("no overlay '" + name + "'"));
    }

    /** overlay-net's refusals as REST answers: a bad field 400 naming it, a clash with what exists 409. */
    static <T> T call(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (OverlayException e) {
            throw problem(e);
        }
    }

    private static ApiException problem(OverlayException e) {
        String message = e.getMessage();
        int colon = message.indexOf(": ");
        return switch (e.reason()) {
            case INVALID -> colon > 0 ? ApiException.invalid(message.substring(0, colon), message.substring(colon + 2))
                    : ApiException.invalid("overlay", message);
            case NOT_FOUND -> ApiException.notFound(message);
            case EXISTS -> ApiException.conflict("name", message);
            case VNI_TAKEN -> ApiException.conflict("vni", message);
            case CIDR_OVERLAP -> ApiException.conflict("cidr", message);
            case POOL_EXHAUSTED -> ApiException.conflict("overlay", message);
            case STORE -> ApiException.unavailable(message);
        };
    }
}
