package io.civitas.controller.policy;

import io.civitas.controller.ApiTestBase;
import io.civitas.controller.system.ApiException;
import io.civitas.policy.PolicyFile;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Version numbers and the activation record come from ZooKeeper's atomic operations, not from memory. */
class PolicyStoreTest extends ApiTestBase {

    @Autowired
    private PolicyStore store;
    @Autowired
    private ActivationStore activations;

    @Test
    void concurrentPushesGetDistinctConsecutiveVersions() throws Exception {
        String name = "store-" + uniqueName("c").substring(2);
        int pushes = 8;
        CyclicBarrier start = new CyclicBarrier(pushes);
        ExecutorService pool = Executors.newFixedThreadPool(pushes);
        try {
            List<Future<Integer>> versions = new ArrayList<>();
            for (int i = 0; i < pushes; i++) {
                int n = i;
                versions.add(pool.submit(() -> {
                    start.await();
                    return store.add(name, List.of(new PolicyFile("p" + n + ".drl", "package p;")));
                }));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> v : versions) {
                got.add(v.get());
            }
            assertThat(got).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(store.latest(name)).contains(pushes);
            assertThat(store.versions(name).orElseThrow()).hasSize(pushes);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anActivationWrittenFromAStaleReadIsRefused() {
        ActivationStore.Current first = activations.read();
        ActivationStore.Current second = activations.read();

        activations.write(first, first.activation());

        assertThatThrownBy(() -> activations.write(second, second.activation()))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status().value()).isEqualTo(409));
    }
}
