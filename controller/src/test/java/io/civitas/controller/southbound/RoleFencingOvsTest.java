package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.civitas.overlay.openflow.FlowProgram;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.errormsg.OFRoleRequestFailedErrorMsg;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * Two controllers (two southbounds, two ZooKeeper sessions, one ZooKeeper) on one real OVS bridge: only the
 * master's writes land, and a master whose ZooKeeper session ended is fenced by the switch itself.
 */
class RoleFencingOvsTest {

    private final long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private final CuratorFramework[] curators = new CuratorFramework[2];
    private final Southbound[] controllers = new Southbound[2];
    private OvsFixture fixture;
    private Ovs ovs;

    @BeforeEach
    void start() throws Exception {
        fixture = new OvsFixture();
        ovs = fixture.ovs;
        for (int i = 0; i < 2; i++) {
            curators[i] = fixture.curator();
            controllers[i] = fixture.southbound("c" + i, curators[i], OvsFixture.properties(0, Duration.ofSeconds(5)));
        }
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    private OpenFlowSwitch on(int controller) {
        return controllers[controller].switches().get(DatapathId.of(dpid)).orElseThrow();
    }

    private static Throwable cause(Throwable t) {
        return t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    }

    @Test
    void onlyTheMastersWritesLandAndAStaleMasterIsFenced() throws Exception {
        String br = ovs.bridge(dpid, controllers[0].port(), controllers[1].port());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var a = controllers[0].switches().get(DatapathId.of(dpid));
            var b = controllers[1].switches().get(DatapathId.of(dpid));
            return a.isPresent() && b.isPresent() && (a.get().role() == Role.MASTER && b.get().role() == Role.SLAVE
                    || a.get().role() == Role.SLAVE && b.get().role() == Role.MASTER);
        });
        int m = on(0).role() == Role.MASTER ? 0 : 1;
        int s = 1 - m;
        long firstTerm = on(m).generationId();
        assertThat(firstTerm).isEqualTo(1);
        assertThat(on(s).role()).isEqualTo(Role.SLAVE);

        // The master's program lands; the slave's FlowMod is refused by the switch (OFPBRC_IS_SLAVE).
        controllers[m].desiredFlows().put(DatapathId.of(dpid),
                new FlowProgram(List.of(OpenFlowOvsTest.flow(1, 2, 100)), List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ovs.flows(br).size() == 1);
        on(s).send(OpenFlowOvsTest.flow(5, 6, 300));
        await().atMost(Duration.ofSeconds(5)).until(() -> on(s).recentErrors().stream()
                .anyMatch(e -> e.contains("IS_SLAVE")));
        assertThat(ovs.flows(br)).hasSize(1).noneMatch(f -> f.contains("in_port=5"));

        // A controller whose SLAVE request comes with a stale generation (it lost a race with the master's claim)
        // must not stay EQUAL, which may write: it settles as SLAVE at the switch's own generation.
        on(s).requestRole(Role.EQUAL, 0).get(5, TimeUnit.SECONDS);
        controllers[s].askRole(on(s), Role.SLAVE, 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> on(s).role() == Role.SLAVE
                && on(s).generationId() == firstTerm);
        int refusedBefore = on(s).recentErrors().size();
        on(s).send(OpenFlowOvsTest.flow(5, 6, 300));
        await().atMost(Duration.ofSeconds(5)).until(() -> on(s).recentErrors().size() > refusedBefore
                || on(s).recentErrors().size() == 20);
        assertThat(ovs.flows(br)).hasSize(1).noneMatch(f -> f.contains("in_port=5"));

        // The master's ZooKeeper session ends (a partition, a long pause) while its OpenFlow channel stays up.
        OpenFlowSwitch stale = on(m);
        curators[m].close();
        await().atMost(Duration.ofSeconds(20)).until(() -> on(s).role() == Role.MASTER);
        assertThat(on(s).generationId()).isEqualTo(firstTerm + 1);

        // The old master still believes it is master, but the switch has demoted it: its writes are refused...
        assertThat(stale.role()).isEqualTo(Role.MASTER);
        stale.send(OpenFlowOvsTest.flow(7, 8, 400));
        await().atMost(Duration.ofSeconds(5)).until(() -> stale.recentErrors().stream()
                .anyMatch(e -> e.contains("IS_SLAVE")));
        // ...and it cannot take the switch back with its old generation id: OFPRRFC_STALE.
        assertThatThrownBy(() -> stale.requestRole(Role.MASTER, firstTerm).get(5, TimeUnit.SECONDS))
                .satisfies(e -> assertThat(((OpenFlowException) cause(e)).error())
                        .isInstanceOfSatisfying(OFRoleRequestFailedErrorMsg.class,
                                r -> assertThat(r.getCode()).isEqualTo(OFRoleRequestFailedCode.STALE)));

        // The new master's writes land.
        controllers[s].desiredFlows().put(DatapathId.of(dpid),
                new FlowProgram(List.of(OpenFlowOvsTest.flow(1, 2, 100), OpenFlowOvsTest.flow(3, 4, 200)), List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ovs.flows(br).size() == 2);
        assertThat(ovs.flows(br)).noneMatch(f -> f.contains("in_port=5") || f.contains("in_port=7"));
    }
}
