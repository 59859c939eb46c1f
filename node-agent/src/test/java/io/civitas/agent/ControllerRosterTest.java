package io.civitas.agent;

import io.civitas.protocol.ClusterMembers;
import io.civitas.protocol.ClusterMembers.Member;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerRosterTest {
    private static final URI DISCOVERY = URI.create("http://c1:8080/api/v1/cluster/members");
    private static final URI C1 = URI.create("http://c1:8080");
    private static final URI C2 = URI.create("http://c2:8080");
    private static final URI C3 = URI.create("http://c3:8080");

    private volatile ClusterMembers live = members(C1, C2);
    private volatile boolean reachable = true;
    private final AtomicInteger asked = new AtomicInteger();

    private ClusterMembers discover(URI url) throws IOException {
        assertThat(url).isEqualTo(DISCOVERY);
        asked.incrementAndGet();
        if (!reachable) {
            throw new ConnectException("connection refused");
        }
        return live;
    }

    private static ClusterMembers members(URI... controllers) {
        List<Member> members = new ArrayList<>();
        for (URI c : controllers) {
            members.add(new Member(c.getHost(), c.toString(), "ws://" + c.getHost() + ":9000/wamp"));
        }
        return new ClusterMembers(members);
    }

    @Test
    void withoutDiscoveryTheConfiguredControllersAreTriedInListOrder() throws Exception {
        ControllerRoster roster = new ControllerRoster(List.of(C1, C2), null, this::discover, new Random(1));

        assertThat(List.of(roster.next(), roster.next(), roster.next())).containsExactly(C1, C2, C1);
        assertThat(asked).hasValue(0);
    }

    @Test
    void aRoundDialsEveryLiveMemberThenTheConfiguredOnesAndAsksAgainAfterIt() throws Exception {
        ControllerRoster roster = new ControllerRoster(List.of(C3), DISCOVERY, this::discover, new Random(1));

        List<URI> round = List.of(roster.next(), roster.next(), roster.next());

        assertThat(round.subList(0, 2)).containsExactlyInAnyOrder(C1, C2);
        assertThat(round.get(2)).isEqualTo(C3);
        assertThat(asked).hasValue(1);
        roster.next();
        assertThat(asked).hasValue(2);
    }

    @Test
    void losingAControllerAsksDiscoveryAgainAtOnce() throws Exception {
        ControllerRoster roster = new ControllerRoster(List.of(), DISCOVERY, this::discover, new Random(1));
        URI first = roster.next();
        URI other = first.equals(C1) ? C2 : C1;

        live = members(other); // the first died and left the membership
        roster.lostController();

        assertThat(roster.next()).isEqualTo(other);
        assertThat(asked).hasValue(2);
    }

    @Test
    void whenDiscoveryIsUnreachableTheMembersItListedLastStandIn() throws Exception {
        ControllerRoster roster = new ControllerRoster(List.of(), DISCOVERY, this::discover, new Random(1));
        roster.next();
        roster.lostController();

        reachable = false;

        assertThat(List.of(roster.next(), roster.next())).containsExactlyInAnyOrder(C1, C2);
    }

    @Test
    void beforeDiscoveryFirstAnswersThereIsNothingToDial() throws Exception {
        reachable = false;
        ControllerRoster roster = new ControllerRoster(List.of(), DISCOVERY, this::discover, new Random(1));

        assertThat(roster.next()).isNull();
        reachable = true;
        assertThat(roster.next()).isIn(C1, C2);
    }

    @Test
    void membersAreShuffledSoACitysAgentsSpreadOverTheCluster() throws Exception {
        live = members(C1, C2, C3);
        List<URI> firsts = new ArrayList<>();
        for (int seed = 0; seed < 30; seed++) {
            firsts.add(new ControllerRoster(List.of(), DISCOVERY, this::discover, new Random(seed)).next());
        }
        assertThat(firsts).contains(C1, C2, C3);
    }
}
