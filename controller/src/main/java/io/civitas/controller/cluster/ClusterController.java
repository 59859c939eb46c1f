package io.civitas.controller.cluster;

import io.civitas.controller.node.NodeSummaries;
import io.civitas.controller.node.NodeSummaries.NodeSummary;
import io.civitas.protocol.ClusterMembers;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code GET /api/v1/cluster}: the live members, the leader, how many nodes and switches each masters, and
 * health; {@code GET /api/v1/cluster/members}: where agents may connect; {@code POST /api/v1/cluster/rebalance}:
 * asks every controller to shed agents above its fair share.
 * Answers from caches, so it works (marked stale) while ZooKeeper is lost.
 */
@RestController
class ClusterController {

    record ClusterMember(String id, String restUrl, String wampUrl, String openflow, boolean leader, boolean live,
                         long nodes, long switches, Instant since) {}

    record Health(String status, String zookeeper, boolean writable, Instant since, long nodesOnline,
                  long nodesOffline, long nodesBehind) {}

    record Cluster(String self, String leader, long leaderEpoch, List<ClusterMember> members, Health health,
                   boolean stale) {}

    private final ClusterMembership membership;
    private final Leadership leadership;
    private final ClusterMastership mastership;
    private final ZooKeeperLink link;
    private final NodeSummaries summaries;
    private final Rebalancer rebalancer;

    ClusterController(ClusterMembership membership, Leadership leadership, ClusterMastership mastership,
                      ZooKeeperLink link, NodeSummaries summaries, Rebalancer rebalancer) {
        this.membership = membership;
        this.leadership = leadership;
        this.mastership = mastership;
        this.link = link;
        this.summaries = summaries;
        this.rebalancer = rebalancer;
    }

    @GetMapping("/api/v1/cluster")
    Cluster cluster() {
        List<NodeSummary> nodes = summaries.all();
        Map<String, Long> nodesHeld = new TreeMap<>();
        nodes.stream().map(NodeSummary::controllerId).filter(Objects::nonNull)
                .forEach(id -> nodesHeld.merge(id, 1L, Long::sum));
        Map<String, Long> switchesHeld = mastership.switchesPerController();
        String leader = leadership.leaderId();
        List<ClusterMember> members = new ArrayList<>();
        Set<String> listed = new TreeSet<>();
        for (ClusterMembership.Member m : membership.members()) {
            listed.add(m.id());
            members.add(new ClusterMember(m.id(), m.restUrl(), m.wampUrl(), m.openflow(), m.id().equals(leader), true,
                    nodesHeld.getOrDefault(m.id(), 0L), switchesHeld.getOrDefault(m.id(), 0L),
                    Instant.ofEpochMilli(m.sinceMillis())));
        }
        Set<String> holders = new TreeSet<>(nodesHeld.keySet());
        holders.addAll(switchesHeld.keySet());
        for (String id : holders) {
            if (!listed.contains(id)) { // died moments ago: its records have not expired yet
                members.add(new ClusterMember(id, null, null, null, false, false, nodesHeld.getOrDefault(id, 0L),
                        switchesHeld.getOrDefault(id, 0L), null));
            }
        }
        long online = nodes.stream().filter(n -> n.controllerId() != null).count();
        long behind = nodes.stream().filter(n -> n.generationGap() > 0).count();
        boolean writable = link.writable();
        String status = !writable ? "NO_QUORUM" : leader == null ? "NO_LEADER" : "OK";
        Health health = new Health(status, link.state(), writable, Instant.ofEpochMilli(link.sinceMillis()), online,
                nodes.size() - online, behind);
        return new Cluster(membership.controllerId(), leader, leadership.term(), members, health, !writable);
    }

    /**
     * The live members' addresses, for agents started with {@code --discovery}. Public (see
     * {@link ClusterMembers}): it names only the REST and WAMP addresses bootstrap hands out already, no nodes,
     * no counts, no leader. From the membership cache, so it still answers while ZooKeeper is lost.
     */
    @GetMapping(ClusterMembers.PATH)
    ClusterMembers members() {
        return new ClusterMembers(membership.members().stream()
                .filter(m -> m.restUrl() != null)
                .map(m -> new ClusterMembers.Member(m.id(), m.restUrl(), m.wampUrl()))
                .toList());
    }

    @PostMapping("/api/v1/cluster/rebalance")
    ResponseEntity<Rebalancer.Plan> rebalance() {
        rebalancer.request();
        return ResponseEntity.accepted().body(rebalancer.plan());
    }
}
