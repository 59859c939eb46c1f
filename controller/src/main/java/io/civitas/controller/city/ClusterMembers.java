package io.civitas.controller.city;

import io.civitas.controller.cluster.ClusterMembership;
import io.civitas.controller.cluster.Leadership;
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
 * The controllers of the city as the topology view shows them: this one first, with its URLs as the caller
 * reached it, then the other live members registered in ZooKeeper, and the leader.
 * Controllers named only by a node's session (one that died moments ago) are listed too, so no link dangles.
 */
@Component
class ClusterMembers {

    record Member(String id, String restUrl, String wampUrl, boolean leader) {}

    private final ControllerIdentity identity;
    private final AgentUrls agentUrls;
    private final ClusterMembership membership;
    private final Leadership leadership;

    ClusterMembers(ControllerIdentity identity, AgentUrls agentUrls, ClusterMembership membership,
                   Leadership leadership) {
        this.identity = identity;
        this.agentUrls = agentUrls;
        this.membership = membership;
        this.leadership = leadership;
    }

    String leaderId() {
        return leadership.leaderId();
    }

    /** The live members and any other {@code sessionHolders}. */
    List<Member> members(HttpServletRequest request, Collection<String> sessionHolders) {
        String leader = leaderId();
        List<Member> members = new ArrayList<>();
        Set<String> listed = new LinkedHashSet<>();
        // This controller first, with its URLs as the caller reached it; the others as they registered.
        members.add(new Member(identity.id(), ServletUriComponentsBuilder.fromContextPath(request).toUriString(),
                wampUrl(request), identity.id().equals(leader)));
        listed.add(identity.id());
        for (ClusterMembership.Member m : membership.members()) {
            if (listed.add(m.id())) {
                members.add(new Member(m.id(), m.restUrl(), m.wampUrl(), m.id().equals(leader)));
            }
        }
        for (String id : sessionHolders) {
            if (listed.add(id)) {
                members.add(new Member(id, null, null, id.equals(leader)));
            }
        }
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
