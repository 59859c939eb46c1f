package io.civitas.controller.cluster;

/**
 * The cluster's layout in ZooKeeper (namespace {@code /civitas}):
 * <pre>
 * /cluster/members/&lt;controllerId&gt;  EPHEMERAL Member {id, restUrl, wampUrl, openflow, sinceMillis}
 * /cluster/leader/...               Curator LeaderLatch participants
 * /cluster/leader-epoch             the leader's term: its znode version, raised by each new leader
 * /cluster/switches/&lt;dpid&gt;         EPHEMERAL {controllerId, sinceMillis}: the switch's master; its czxid is
 *                                   the mastership epoch
 * /presence/&lt;nodeId&gt;               (node package) EPHEMERAL: the node's master; its czxid is the epoch
 * </pre>
 */
final class ClusterZnodes {

    static final String MEMBERS = "/cluster/members";
    static final String LEADER = "/cluster/leader";
    static final String LEADER_EPOCH = "/cluster/leader-epoch";
    static final String SWITCHES = "/cluster/switches";
    static final String PRESENCE = "/presence";

    private ClusterZnodes() {}

    static String member(String controllerId) {
        return MEMBERS + "/" + controllerId;
    }

    static String switchRecord(String dpid) {
        return SWITCHES + "/" + dpid;
    }

    static String presence(String nodeId) {
        return PRESENCE + "/" + nodeId;
    }
}
