package io.civitas.controller.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WorkQueueTest {

    private final WorkQueue queue = new WorkQueue();

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void aKeyAddedManyTimesWaitsOnce() throws InterruptedException {
        queue.add("a");
        queue.add("b");
        queue.add("a");

        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.take()).isEqualTo("a");
        assertThat(queue.take()).isEqualTo("b");
    }

    @Test
    void aKeyBeingProcessedIsNotHandedOutAgainUntilDone() throws InterruptedException {
        queue.add("a");
        assertThat(queue.take()).isEqualTo("a");

        queue.add("a");
        queue.add("a");
        assertThat(queue.size()).isZero();

        queue.done("a");
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.take()).isEqualTo("a");
        queue.done("a");
        assertThat(queue.size()).isZero();
    }

    @Test
    void addingManyAtOnceFollowsTheSameRulesAndWakesEveryWaitingWorker() throws Exception {
        queue.add("b");
        assertThat(queue.take()).isEqualTo("b"); // being processed

        queue.addAll(List.of("a", "b", "c", "a"));

        assertThat(queue.size()).isEqualTo(2);
        queue.done("b");
        assertThat(queue.size()).isEqualTo(3);

        // Three workers waiting on an empty queue each get one key of a batch.
        queue.take();
        queue.take();
        queue.take();
        List<String> taken = new CopyOnWriteArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                try {
                    taken.add(queue.take());
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            workers.add(t);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> workers.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING));
        queue.addAll(List.of("x", "y", "z"));
        for (Thread t : workers) {
            t.join(2_000);
        }
        assertThat(taken).containsExactlyInAnyOrder("x", "y", "z");
    }

    @Test
    void addAfterAddsLater() {
        queue.addAfter("a", Duration.ofMillis(100));
        assertThat(queue.size()).isZero();

        await().atMost(Duration.ofSeconds(2)).until(() -> queue.size() == 1);
    }

    @Test
    void closingReleasesWaitingTakers() throws Exception {
        Thread taker = new Thread(() -> {
            try {
                assertThat(queue.take()).isNull();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        taker.start();
        Thread.sleep(50);

        queue.close();

        taker.join(2_000);
        assertThat(taker.isAlive()).isFalse();
    }
}
