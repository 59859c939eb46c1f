package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AddressAllocatorTest extends ZooKeeperTest {

    @Test
    void addressesSkipTheNetworkAddressAndComeInOrder() {
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        assertThat(allocator.allocate("city", "board-1").address()).isEqualTo("10.20.0.1");
        assertThat(allocator.allocate("city", "board-2").address()).isEqualTo("10.20.0.2");
    }

    @Test
    void sameNodeGetsItsExistingAddressBack() {
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        Member first = allocator.allocate("city", "board-1");
        allocator.allocate("city", "board-2");
        assertThat(allocator.allocate("city", "board-1")).isEqualTo(first);
        assertThat(allocator.members("city")).extracting(Member::nodeId).containsExactly("board-1", "board-2");
    }

    @Test
    void releasedAddressIsHandedOutAgain() {
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        allocator.allocate("city", "board-1");
        allocator.allocate("city", "board-2");
        assertThat(allocator.release("city", "board-1")).isTrue();
        assertThat(allocator.release("city", "board-1")).isFalse();
        assertThat(allocator.allocate("city", "board-3").address()).isEqualTo("10.20.0.1");
    }

    @Test
    void exhaustedPoolIsAClearError() {
        registry.create(new Overlay("tiny", 11, "10.30.0.0/30")); // two hosts: .1 and .2; .3 is broadcast
        allocator.allocate("tiny", "a");
        allocator.allocate("tiny", "b");
        assertThatThrownBy(() -> allocator.allocate("tiny", "c"))
                .isInstanceOf(OverlayException.class)
                .hasMessageContaining("address pool of overlay tiny exhausted")
                .extracting(e -> ((OverlayException) e).reason()).isEqualTo(OverlayException.Reason.POOL_EXHAUSTED);
        // A member asking again still gets its address.
        assertThat(allocator.allocate("tiny", "a").address()).isEqualTo("10.30.0.1");
    }

    @Test
    void unknownOverlayAndBadNodeIdAreRefused() {
        assertThatThrownBy(() -> allocator.allocate("nope", "a")).hasMessage("overlay nope does not exist");
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        assertThatThrownBy(() -> allocator.allocate("city", "../x")).hasMessageStartingWith("nodeId: '../x'");
    }

    @Test
    void macIsDeterministicLocallyAdministeredAndUnicast() {
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        String mac = allocator.allocate("city", "board-1").mac();
        assertThat(mac).isEqualTo(Macs.forMember("city", "board-1")).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        int firstOctet = Integer.parseInt(mac.substring(0, 2), 16);
        assertThat(firstOctet & 0x02).isEqualTo(0x02);
        assertThat(firstOctet & 0x01).isZero();
        assertThat(Macs.forMember("city", "board-2")).isNotEqualTo(mac);
        assertThat(Macs.forMember("other", "board-1")).isNotEqualTo(mac);
    }

    @Test
    void concurrentAllocationsNeverShareAnAddress() throws Exception {
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        int threads = 8;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Member>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Member> got = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        got.add(allocator.allocate("city", "node-" + id + "-" + i));
                        // Every thread also asks for one shared node: it must get one address only.
                        got.add(allocator.allocate("city", "shared"));
                    }
                    return got;
                }));
            }
            start.countDown();
            Set<String> addresses = new HashSet<>();
            Set<String> sharedAddresses = new HashSet<>();
            for (Future<List<Member>> f : results) {
                for (Member m : f.get()) {
                    if (m.nodeId().equals("shared")) {
                        sharedAddresses.add(m.address());
                    } else {
                        assertThat(addresses.add(m.address())).as("address %s handed out twice", m.address()).isTrue();
                    }
                }
            }
            assertThat(sharedAddresses).hasSize(1);
            assertThat(addresses).hasSize(threads * perThread).doesNotContainAnyElementsOf(sharedAddresses);
            assertThat(allocator.members("city")).hasSize(threads * perThread + 1);
        } finally {
            pool.shutdownNow();
        }
    }
}
