package io.civitas.protocol;

import java.util.List;

/**
 * {@code GET /api/v1/cluster/members}: the controllers an agent may dial, as they registered in ZooKeeper.
 * Public (no token), like bootstrap: an agent that lost its controller, or has not enrolled yet, has no REST
 * credential, and these are only the addresses agents are told anyway.
 */
public record ClusterMembers(List<Member> members) {

    /** The path on any controller. */
    public static final String PATH = "/api/v1/cluster/members";

    public ClusterMembers {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** One live controller: its REST base URL (for bootstrap and enrollment) and its WAMP URL. */
    public record Member(String id, String restUrl, String wampUrl) {}
}
