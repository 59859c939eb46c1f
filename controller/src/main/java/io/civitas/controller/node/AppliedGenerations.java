package io.civitas.controller.node;

import io.civitas.controller.node.Znodes.Reported;
import io.civitas.controller.system.ZkJson;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Records the generations agents applied, in batches: a push's answer is kept here until answers have stopped
 * coming for {@link #QUIET_MILLIS} (at most {@link #MAX_DELAY_MILLIS}) and written together with the others that
 * came meanwhile, {@link #BATCH} nodes per ZooKeeper transaction. Waiting for the quiet keeps the writes (and the
 * mirror's echo of them) off the CPU while a city-wide change is still being pushed. A change
 * for ten thousand nodes brings ten thousand answers within a second; one by one (a read and a compare-and-set each)
 * they took one thread most of a minute and held up every other ZooKeeper user. Each write is a compare-and-set with
 * the version the mirror of {@code /nodes} saw; a batch that fails (the mirror behind, a node deleted) is redone node
 * by node from ZooKeeper. A node whose answer cannot be stored goes to {@code unrecorded} (the reconciler looks again).
 */
final class AppliedGenerations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AppliedGenerations.class);
    static final long QUIET_MILLIS = 50;
    static final long MAX_DELAY_MILLIS = 1_000;
    private static final int BATCH = 100;

    private record Applied(long generation, long atMillis) {}

    private final CuratorFramework zk;
    private final NodeStateStore states;
    private final NodeCache cache;
    private final Consumer<String> unrecorded;
    private final Map<String, Applied> pending = new ConcurrentHashMap<>();
    /** Answers not yet seen in the mirror: a look at the node meanwhile must not push the same generation again. */
    private final Map<String, Long> answered = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long lastAnswerNanos;
    private volatile long firstPendingNanos;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> WorkQueue.daemon(r, "applied-writer"));

    AppliedGenerations(CuratorFramework zk, NodeStateStore states, NodeCache cache, Consumer<String> unrecorded) {
        this.zk = zk;
        this.states = states;
        this.cache = cache;
        this.unrecorded = unrecorded;
    }

    /** Keeps the answer for the next batch; a later, higher generation of the same node replaces it. */
    void record(String id, long generation, long appliedAtMillis) {
        answered.merge(id, generation, Math::max);
        pending.merge(id, new Applied(generation, appliedAtMillis), (a, b) -> a.generation() >= b.generation() ? a : b);
        long now = System.nanoTime();
        lastAnswerNanos = now;
        if (scheduled.compareAndSet(false, true)) {
            firstPendingNanos = now;
            writer.schedule(this::flushWhenQuiet, QUIET_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void flushWhenQuiet() {
        long now = System.nanoTime();
        long quietFor = TimeUnit.NANOSECONDS.toMillis(now - lastAnswerNanos);
        if (quietFor < QUIET_MILLIS && TimeUnit.NANOSECONDS.toMillis(now - firstPendingNanos) < MAX_DELAY_MILLIS) {
            writer.schedule(this::flushWhenQuiet, QUIET_MILLIS - quietFor, TimeUnit.MILLISECONDS);
            return;
        }
        flush();
    }

    /**
     * The generation the node has applied: what the mirror says, or a newer answer still on its way there
     * (forgotten once stored, or once the mirror shows it).
     */
    long applied(String id, long mirrored) {
        Long answer = answered.get(id);
        if (answer == null) {
            return mirrored;
        }
        if (mirrored >= answer) {
            answered.remove(id, answer);
            return mirrored;
        }
        return answer;
    }

    private void flush() {
        scheduled.set(false);
        Map<String, Applied> batch = new TreeMap<>();
        for (String id : List.copyOf(pending.keySet())) {
            Applied a = pending.remove(id);
            if (a != null) {
                batch.put(id, a);
            }
        }
        Map<String, Versioned<Reported>> writes = new TreeMap<>();
        batch.forEach((id, a) -> {
            Optional<Versioned<Reported>> mirrored = cache.versioned(Znodes.reported(id), Reported.class);
            if (mirrored.isEmpty()) {
                oneByOne(id, a);
                return;
            }
            Reported r = mirrored.get().value();
            if (a.generation() > r.appliedGeneration()) { // never backwards (a late, older answer)
                writes.put(id, new Versioned<>(new Reported(a.generation(), a.atMillis(), r.protocolVersion(),
                        r.inventory(), r.lastSeenMillis()), mirrored.get().version()));
            } else {
                answered.remove(id, a.generation());
            }
        });
        List<String> ids = List.copyOf(writes.keySet());
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + BATCH));
            try {
                List<CuratorOp> ops = new ArrayList<>();
                for (String id : chunk) {
                    Versioned<Reported> v = writes.get(id);
                    ops.add(zk.transactionOp().setData().withVersion(v.version()).forPath(Znodes.reported(id),
                            ZkJson.write(v.value())));
                }
                zk.transaction().forOperations(ops);
                // Stored: from here the mirror tells (a restarted agent's lower generation must be seen)
                chunk.forEach(id -> answered.remove(id, writes.get(id).value().appliedGeneration()));
            } catch (KeeperException raced) { // the mirror was behind, or a node went: the careful way
                chunk.forEach(id -> oneByOne(id, batch.get(id)));
            } catch (Exception e) {
                log.warn("Recording {} applied generations failed: {}", chunk.size(), e.toString());
                chunk.forEach(this::unrecorded);
            }
        }
        if (!pending.isEmpty() && scheduled.compareAndSet(false, true)) {
            firstPendingNanos = System.nanoTime();
            writer.execute(this::flushWhenQuiet);
        }
    }

    private void oneByOne(String id, Applied a) {
        try {
            states.recordApplied(id, a.generation(), a.atMillis());
            answered.remove(id, a.generation());
        } catch (RuntimeException e) {
            log.warn("Recording node {} applied generation {} failed: {}", id, a.generation(), e.toString());
            unrecorded(id);
        }
    }

    private void unrecorded(String id) {
        answered.remove(id); // not stored: the reconciler is to look (and push) again
        unrecorded.accept(id);
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
