package io.civitas.controller.cluster;

import io.civitas.controller.system.ControllerIdentity;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** Two controllers' {@link Mastership} on one real ZooKeeper: claims, epochs, and take-over when a master dies. */
class MastershipTest {

    private static final String DPID = "00000000000000a1";
    private TestingServer server;
    private CuratorFramework zkA;
    private CuratorFramework zkB;
    private ClusterMastership a;
    private ClusterMastership b;

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        zkA = client();
        zkB = client();
        a = mastership(zkA, "a");
        b = mastership(zkB, "b");
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        zkB.close();
        zkA.close();
        server.close();
    }

    @Test
    void oneControllerMastersASwitchAndTheOtherTakesOverWhenItDies() throws Exception {
        long epochA = a.claimSwitch(DPID);
        assertThat(epochA).isNotNegative();
        assertThat(a.isMaster(DPID)).isTrue();
        assertThat(a.epoch(DPID)).isEqualTo(epochA);

        List<String> told = new CopyOnWriteArrayList<>();
        b.addSwitchListener((dpid, master, epoch) -> told.add(dpid + " " + master + " " + epoch));
        assertThat(b.claimSwitch(DPID)).isEqualTo(-1);
        assertThat(b.isMaster(DPID)).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.switchesPerController().getOrDefault("a", 0L) == 1);

        a.close();
        zkA.close(); // the session ends: its EPHEMERAL record goes at once
        await().atMost(Duration.ofSeconds(20)).until(() -> b.isMaster(DPID));
        assertThat(b.epoch(DPID)).isGreaterThan(epochA);
        assertThat(told).anySatisfy(line -> assertThat(line).startsWith(DPID + " true "));

        zkA = client();
        a = mastership(zkA, "a");
        assertThat(a.claimSwitch(DPID)).isEqualTo(-1);
        b.releaseSwitch(DPID);
        await().atMost(Duration.ofSeconds(20)).until(() -> a.isMaster(DPID));
        assertThat(b.isMaster(DPID)).isFalse();
    }

    @Test
    void aNodeIsMasteredByTheControllerWhoseSessionOwnsItsPresence() throws Exception {
        zkA.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath("/presence/n1", new byte[0]);
        assertThat(a.isMaster("n1")).isTrue();
        assertThat(a.epoch("n1")).isEqualTo(zkA.checkExists().forPath("/presence/n1").getCzxid());
        assertThat(b.isMaster("n1")).isFalse();
        assertThat(b.epoch("n1")).isEqualTo(-1);
        assertThat(a.isMaster("n2")).isFalse();
    }

    private CuratorFramework client() throws InterruptedException {
        CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .sessionTimeoutMs(5_000).connectionTimeoutMs(5_000).retryPolicy(new RetryOneTime(100)).build();
        zk.start();
        zk.blockUntilConnected();
        return zk;
    }

    private static ClusterMastership mastership(CuratorFramework zk, String id) throws Exception {
        ControllerIdentity identity = mock(ControllerIdentity.class);
        when(identity.id()).thenReturn(id);
        return new ClusterMastership(zk, new ZooKeeperLink(zk, Clock.systemUTC()), identity, Clock.systemUTC());
    }
}
