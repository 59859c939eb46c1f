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

    @Test
    void batchAllocationKeepsExistingAddressesAndHandsOutTheLowestFree() {
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        allocator.allocate("city", "board-2"); // .1
        allocator.allocate("city", "board-9"); // .2
        allocator.release("city", "board-9"); // .2 free again
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 150; i++) { // more than one transaction's worth
            many.add(String.format("node-%03d", i));
        }
        many.add("board-2");
        AddressAllocator.Allocation got = allocator.allocateAll("city", many);
        assertThat(got.refused()).isEmpty();
        assertThat(got.members().get("board-2").address()).isEqualTo("10.20.0.1");
        assertThat(got.members().get("node-000").address()).isEqualTo("10.20.0.2");
        assertThat(got.members().values()).extracting(Member::address).doesNotHaveDuplicates().hasSize(151);
        // What the batch wrote is what single reads see, and a single allocation after it continues the pool.
        assertThat(allocator.members("city")).containsExactlyInAnyOrderElementsOf(got.members().values());
        assertThat(allocator.allocate("city", "late").address()).isEqualTo("10.20.0.152");
    }

    @Test
    void batchReleaseFreesTheAddressesAndToleratesAMemberThatLeftMeanwhile() {
        registry.create(new Overlay("city", 10, "10.20.0.0/24"));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            many.add("n-" + i);
        }
        allocator.allocateAll("city", many);
        List<Member> listed = allocator.members("city");
        allocator.release("city", "n-5"); // gone between the listing and the batch
        allocator.releaseAll("city", listed.subList(0, 110));
        assertThat(allocator.members("city")).hasSize(10);
        AddressAllocator.Allocation again = allocator.allocateAll("city", many);
        assertThat(again.members().values()).extracting(Member::address).doesNotHaveDuplicates().hasSize(120);
    }

    @Test
    void batchAllocationRefusesWhatThePoolCannotHoldAndStoresTheRest() {
        registry.create(new Overlay("tiny", 11, "10.30.0.0/30")); // two hosts
        AddressAllocator.Allocation got = allocator.allocateAll("tiny", List.of("a", "b", "c"));
        assertThat(got.members()).containsOnlyKeys("a", "b");
        assertThat(got.refused()).containsOnlyKeys("c");
        assertThat(got.refused().get("c")).contains("address pool of overlay tiny exhausted");
        assertThat(allocator.members("tiny")).extracting(Member::nodeId).containsExactly("a", "b");
        assertThatThrownBy(() -> allocator.allocateAll("nope", List.of("a"))).hasMessage("overlay nope does not exist");
        assertThatThrownBy(() -> allocator.allocateAll("tiny", List.of("../x"))).hasMessageStartingWith("nodeId: '../x'");
    }

    @Test
    void batchAndSingleAllocationsRacingNeverShareAnAddress() throws Exception {
        registry.create(new Overlay("city", 10, "10.20.0.0/22"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Member>>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) { // two batches over overlapping nodes
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> nodes = new ArrayList<>();
                    for (int i = 0; i < 300; i++) {
                        nodes.add("n-" + ((i + id * 150) % 450));
                    }
                    return new ArrayList<>(allocator.allocateAll("city", nodes).members().values());
                }));
            }
            for (int t = 0; t < 2; t++) { // and single allocations of other nodes
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Member> got = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        got.add(allocator.allocate("city", "s-" + id + "-" + i));
                    }
                    return got;
                }));
            }
            start.countDown();
            java.util.Map<String, String> addressOf = new java.util.HashMap<>();
            for (Future<List<Member>> f : results) {
                for (Member m : f.get()) {
                    String had = addressOf.putIfAbsent(m.nodeId(), m.address());
                    assertThat(had == null || had.equals(m.address())).as("node %s got two addresses", m.nodeId()).isTrue();
                }
            }
            assertThat(addressOf).hasSize(450 + 100);
            assertThat(new HashSet<>(addressOf.values())).as("an address handed out twice").hasSize(addressOf.size());
            assertThat(allocator.members("city")).hasSize(550);
        } finally {
            pool.shutdownNow();
        }
    }
}
