package io.civitas.controller.city;

import io.civitas.controller.node.AgentUrls;
import io.civitas.controller.system.ControllerIdentity;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The controllers of the city as the topology view shows them. One controller for now, and it leads;
 * the cluster issue replaces this with the members registered in ZooKeeper. Controllers named only by a
 * node's session (another controller's, once there are several) are listed too, so no link dangles.
 */
@Component
class ClusterMembers {

    record Member(String id, String restUrl, String wampUrl, boolean leader) {}

    private final ControllerIdentity identity;
    private final AgentUrls agentUrls;

    ClusterMembers(ControllerIdentity identity, AgentUrls agentUrls) {
        this.identity = identity;
        this.agentUrls = agentUrls;
    }

    String leaderId() {
        return identity.id();
    }

    /** This controller (its URLs as the caller reached it) and any other {@code sessionHolders}. */
    List<Member> members(HttpServletRequest request, Collection<String> sessionHolders) {
        List<Member> members = new ArrayList<>();
        members.add(new Member(identity.id(), ServletUriComponentsBuilder.fromContextPath(request).toUriString(),
                wampUrl(request), true));
        Set<String> others = new LinkedHashSet<>(sessionHolders);
        others.remove(identity.id());
        others.forEach(id -> members.add(new Member(id, null, null, false)));
        return members;
    }

    private String wampUrl(HttpServletRequest request) {
        try {
            return agentUrls.wampUrl(request);
        } catch (RuntimeException notListeningYet) {
            return null;
        }
    }
}
