package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;

class OverlayRegistryTest extends ZooKeeperTest {

    @Test
    void createdOverlaysAreListedAndDeleted() {
        registry.create(new Overlay("b-net", 2, "10.2.0.0/24"));
        registry.create(new Overlay("a-net", 1, "10.1.0.0/24", 1400));
        assertThat(registry.list()).extracting(Overlay::name).containsExactly("a-net", "b-net");
        assertThat(registry.get("a-net")).contains(new Overlay("a-net", 1, "10.1.0.0/24", 1400));

        allocator.allocate("a-net", "board-1");
        assertThat(registry.delete("a-net")).isTrue();
        assertThat(registry.delete("a-net")).isFalse();
        assertThat(registry.list()).extracting(Overlay::name).containsExactly("b-net");
        // The VNI and the subnet are free again.
        registry.create(new Overlay("c-net", 1, "10.1.0.0/24"));
    }

    @Test
    void vniCollisionIsRefusedAndWritesNothing() throws Exception {
        registry.create(new Overlay("a-net", 7, "10.1.0.0/24"));
        assertThatThrownBy(() -> registry.create(new Overlay("b-net", 7, "10.2.0.0/24")))
                .isInstanceOf(OverlayException.class)
                .hasMessage("vni: 7 is already used by overlay a-net")
                .extracting(e -> ((OverlayException) e).reason()).isEqualTo(OverlayException.Reason.VNI_TAKEN);
        assertThat(registry.list()).extracting(Overlay::name).containsExactly("a-net");
        assertThat(zk.checkExists().forPath("/overlays/b-net")).isNull();
    }

    @Test
    void overlappingCidrIsRefusedAndWritesNothing() throws Exception {
        registry.create(new Overlay("a-net", 1, "10.1.0.0/24"));
        assertThatThrownBy(() -> registry.create(new Overlay("b-net", 2, "10.0.0.0/8")))
                .isInstanceOf(OverlayException.class)
                .hasMessage("cidr: 10.0.0.0/8 overlaps 10.1.0.0/24 of overlay a-net");
        assertThatThrownBy(() -> registry.create(new Overlay("c-net", 3, "10.1.0.128/25")))
                .hasMessageContaining("overlaps 10.1.0.0/24");
        assertThat(zk.checkExists().forPath("/vnis/2")).isNull();
        assertThat(zk.checkExists().forPath("/vnis/3")).isNull();
    }

    @Test
    void sameNameTwiceIsRefused() {
        registry.create(new Overlay("a-net", 1, "10.1.0.0/24"));
        assertThatThrownBy(() -> registry.create(new Overlay("a-net", 2, "10.2.0.0/24")))
                .hasMessage("name: overlay a-net already exists");
    }

    @Test
    void concurrentCreatesOfOverlappingSubnetsLetExactlyOneWin() throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        // Two controllers: every other writer goes through a second ZooKeeper session.
        CuratorFramework other = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100)).namespace("civitas-test").build();
        other.start();
        other.blockUntilConnected();
        OverlayRegistry otherRegistry = new OverlayRegistry(other);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                Overlay o = new Overlay("net-" + i, 100 + i, "10.9.0.0/16"); // distinct VNIs, one subnet
                Callable<Boolean> create = () -> {
                    try {
                        (o.vni() % 2 == 0 ? registry : otherRegistry).create(o);
                        return true;
                    } catch (OverlayException e) {
                        return false;
                    }
                };
                results.add(pool.submit(create));
            }
            int won = 0;
            for (Future<Boolean> f : results) {
                won += f.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
            assertThat(registry.list()).hasSize(1);
            assertThat(zk.getChildren().forPath("/vnis")).hasSize(1);
        } finally {
            pool.shutdownNow();
            other.close();
        }
    }
}
