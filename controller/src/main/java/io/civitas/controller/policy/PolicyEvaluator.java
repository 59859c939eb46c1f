package io.civitas.controller.policy;

import io.civitas.controller.cluster.Leadership;
import io.civitas.controller.node.CityNodes.Snapshot;
import io.civitas.controller.node.DesiredStates;
import io.civitas.controller.node.NodeChanged;
import io.civitas.controller.node.PolicyDecisions;
import io.civitas.controller.node.ReadingRecorded;
import io.civitas.policy.Evaluation;
import io.civitas.policy.NodeDecisions;
import io.civitas.policy.PolicyRuntimeException;
import io.civitas.policy.PolicySet;
import io.civitas.protocol.SensorReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running evaluation of the active policies: the cluster leader's only ({@link Leadership}). Every
 * controller knows the active set; only the leader evaluates it and stores decisions, and a controller that
 * becomes leader starts with a fresh evaluation over all facts. It lives on one thread: node changes and readings mark work, bursts coalesce into one pass that
 * updates the changed facts, fires the rules and stores the decisions of the nodes whose decisions
 * changed ({@link DesiredStates} merges them into desired state). {@link #install} swaps in a newly
 * activated set and stores every node's decisions from it.
 *
 * <p>Caveat: a loop or conflict that only new facts bring (activation checked the facts of its moment)
 * stops the evaluation; the last stored decisions stay, {@link #status} says why, and a fresh start is
 * tried again after {@link #RETRY_MILLIS} when facts change.
 */
@Component
class PolicyEvaluator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PolicyEvaluator.class);
    static final long RETRY_MILLIS = 5_000;

    /** What is active here, and why it is not evaluating (null when it is). */
    record Status(Map<String, Integer> active, String error) {}

    private final CityFacts facts;
    private final DesiredStates desired;
    private final Leadership leadership;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "policy-evaluator"));
    /** From this many changed nodes in one pass, their decisions are stored in batches. */
    static final int BATCH_FROM = 50;
    /** Fact changes since an activation's check began; see {@link #check}. */
    private final List<FactChanges> watching = new CopyOnWriteArrayList<>();

    /** The nodes and readings that changed while a checked evaluation was loading and waiting. */
    private record FactChanges(Set<String> nodes, Map<String, SensorReading> readings) {
        FactChanges() {
            this(ConcurrentHashMap.newKeySet(), new ConcurrentHashMap<>());
        }
    }

    /** A policy set evaluated over the facts for activation, and what changed since it loaded them. */
    record Checked(FreshEvaluation evaluation, FactChanges since) {}
    private final Set<String> dirtyNodes = ConcurrentHashMap.newKeySet();
    private final Map<String, SensorReading> dirtyReadings = new ConcurrentHashMap<>();
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private volatile Status status = new Status(Map.of(), null);
    private volatile boolean running;

    // Touched on the evaluator thread only.
    private PolicySet set;
    private Evaluation evaluation;
    private Map<String, Snapshot> inserted = new HashMap<>();
    private volatile int recordVersion = -2;
    /** How many desired states the install of {@link #recordVersion} changed (what a second install of it answers). */
    private int installedChanged;
    private long failedAt;

    PolicyEvaluator(CityFacts facts, DesiredStates desired, Leadership leadership) {
        this.facts = facts;
        this.desired = desired;
        this.leadership = leadership;
        leadership.addListener((leader, epoch) -> thread.execute(() -> leadershipChanged(leader)));
    }

    /** A new leader starts from all facts; a controller that stops leading drops its evaluation. */
    private void leadershipChanged(boolean leader) {
        if (leader && set != null) {
            log.info("Leading: evaluating the active policies {} from all facts", status.active());
            restart();
        } else if (!leader) {
            closeEvaluation();
        }
    }

    Status status() {
        return status;
    }

    @EventListener
    public void onNodeChanged(NodeChanged event) {
        watching.forEach(w -> w.nodes().add(event.nodeId()));
        dirtyNodes.add(event.nodeId());
        queuePass();
    }

    @EventListener
    public void onReading(ReadingRecorded event) {
        if (event.reading().sensor() != null) {
            watching.forEach(w -> {
                w.readings().put(event.nodeId() + "/" + event.reading().sensor(), event.reading());
                w.nodes().add(event.nodeId());
            });
            dirtyReadings.put(event.nodeId() + "/" + event.reading().sensor(), event.reading());
            dirtyNodes.add(event.nodeId()); // a first reading of a sensor adds it to the node's sensors
            queuePass();
        }
    }

    /**
     * {@code set} evaluated over the live facts: a loop or conflict is a 422 naming it. Activation then hands it to
     * {@link #install} (or {@link #discard}s it), so the whole city is evaluated once, not twice; the changes that
     * arrive meanwhile are replayed onto it.
     */
    Checked check(PolicySet set) {
        FactChanges since = new FactChanges();
        watching.add(since); // before loading: a change during the load is replayed, never missed
        try {
            return new Checked(FreshEvaluation.check(set, facts), since);
        } catch (RuntimeException e) {
            watching.remove(since);
            throw e;
        }
    }

    void discard(Checked checked) {
        watching.remove(checked.since());
        checked.evaluation().close();
    }

    /**
     * Makes {@code set} (null: nothing active) the running evaluation, unless a newer activation record
     * ({@code recordVersion}) is already in place, and stores every node's decisions from it. Completes
     * with the number of nodes whose desired state changed. {@code checked}, when not null, is {@code set}
     * from {@link #check}; it is used, or closed.
     */
    CompletableFuture<Integer> install(PolicySet set, Map<String, Integer> active, int recordVersion, Checked checked) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        thread.execute(() -> {
            FreshEvaluation evaluated = null;
            if (checked != null) {
                // From here on every change marks dirtyNodes, which restart keeps: stop logging, replay the log
                watching.remove(checked.since());
                evaluated = checked.evaluation();
                dirtyNodes.addAll(checked.since().nodes());
                checked.since().readings().forEach(dirtyReadings::putIfAbsent); // a mark there is the newer
            }
            try {
                done.complete(installNow(set, active, recordVersion, evaluated));
            } catch (Throwable e) {
                if (evaluated != null) {
                    evaluated.close();
                }
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The activation record's version in place here (-2 before the first install). For the watcher. */
    int recordVersion() {
        return recordVersion;
    }

    private int installNow(PolicySet next, Map<String, Integer> active, int version, FreshEvaluation evaluated) {
        // The same version twice is the rule, not the exception: the activation request installs it, and the watcher
        // of the activation record sees the write before the request's install has run. Evaluating and storing the
        // whole city a second time cost seconds, so a version already running is installed once.
        if (version < recordVersion || (version == recordVersion && evaluation != null)) {
            log.debug("Ignoring activation record version {}: version {} is already in place", version, recordVersion);
            if (evaluated != null) {
                evaluated.close();
            }
            return version == recordVersion ? installedChanged : 0;
        }
        closeEvaluation();
        set = next;
        recordVersion = version;
        status = new Status(Map.copyOf(active), null);
        log.info("Active policies now {} (activation record version {})", active, version);
        installedChanged = restart(evaluated);
        return installedChanged;
    }

    private int restart() {
        return restart(null);
    }

    /**
     * A fresh evaluation of {@link #set} over all facts (or {@code evaluated}, one made a moment ago); stores every
     * node's decisions. Leader only.
     */
    private int restart(FreshEvaluation evaluated) {
        if (evaluated == null) {
            dirtyNodes.clear();
            dirtyReadings.clear();
        } // else: install replayed the changes since it loaded the facts into the marks, for the next pass
        closeEvaluation();
        if (!leadership.isLeader()) {
            if (evaluated != null) {
                evaluated.close();
            }
            return 0; // the leader stores the decisions
        }
        try {
            long t0 = System.nanoTime();
            FreshEvaluation fresh = evaluated != null ? evaluated : FreshEvaluation.of(set, facts);
            long t1 = System.nanoTime();
            evaluation = fresh.evaluation();
            inserted = new HashMap<>(fresh.inserted());
            status = new Status(status.active(), null);
            Map<String, PolicyDecisions> all = new HashMap<>();
            for (String id : facts.nodes().ids()) {
                Snapshot s = inserted.get(id);
                all.put(id, s == null ? PolicyDecisions.NONE : fresh.stored(id, s.sensors()));
            }
            int changed = storeAll(all);
            log.info("Evaluated {} nodes in {} ms; stored their decisions ({} desired states changed) in {} ms",
                    all.size(), (t1 - t0) / 1_000_000, changed, (System.nanoTime() - t1) / 1_000_000);
            return changed;
        } catch (PolicyRuntimeException e) {
            fail(e.getMessage());
            return 0;
        } catch (DesiredStates.Fenced deposed) {
            log.info("Stopped evaluating: {}", deposed.getMessage());
            closeEvaluation();
            return 0;
        } catch (RuntimeException e) {
            startOverLater(e);
            throw e;
        }
    }

    /** Stores every node's decisions in batches under this leader's fence; the number whose desired state changed. */
    private int storeAll(Map<String, PolicyDecisions> all) {
        return desired.putDecisionsAll(all, leadership.fence());
    }

    /** ZooKeeper trouble mid-way: some decisions may be unstored, so start from the facts again a little later. */
    private void startOverLater(RuntimeException e) {
        log.warn("Policy evaluation failed: {}; starting over in {} ms", e.toString(), RETRY_MILLIS);
        closeEvaluation();
        failedAt = System.currentTimeMillis();
        thread.schedule(this::queuePass, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void queuePass() {
        if (running && passQueued.compareAndSet(false, true)) {
            thread.execute(this::pass);
        }
    }

    /** Applies the changes marked since the last pass and stores the decisions that changed. */
    private void pass() {
        passQueued.set(false);
        try {
            if (set == null || !leadership.isLeader()) {
                dirtyNodes.clear(); // nothing active (every node's decisions are NONE already), or not leading
                dirtyReadings.clear();
                return;
            }
            if (evaluation == null) {
                if (System.currentTimeMillis() - failedAt >= RETRY_MILLIS) {
                    restart();
                }
                return;
            }
            applyMarkedChanges();
            Map<String, NodeDecisions> changed = evaluation.evaluate();
            Map<String, PolicyDecisions> toStore = new HashMap<>();
            changed.forEach((id, d) -> {
                Snapshot s = inserted.get(id);
                if (s != null) {
                    toStore.put(id, StoredDecisions.of(d, s.sensors()));
                }
            });
            if (toStore.size() >= BATCH_FROM) {
                desired.putDecisionsAll(toStore, leadership.fence());
            } else { // a reading or two: straight from ZooKeeper, no waiting on the mirror
                toStore.forEach((id, d) -> desired.putDecisions(id, d, leadership.fence()));
            }
        } catch (PolicyRuntimeException e) {
            fail(e.getMessage());
        } catch (DesiredStates.Fenced deposed) {
            log.info("Stopped evaluating: {}", deposed.getMessage());
            closeEvaluation();
        } catch (RuntimeException e) {
            if (evaluation != null) { // else restart() has already arranged to start over
                startOverLater(e);
            }
        }
    }

    private void applyMarkedChanges() {
        for (Iterator<String> it = dirtyNodes.iterator(); it.hasNext(); ) {
            String id = it.next();
            it.remove(); // before reading the snapshot: a change after this read marks the node again
            Snapshot now = facts.nodes().snapshot(id).orElse(null);
            Snapshot before = inserted.get(id);
            if (now == null) {
                if (before != null) {
                    evaluation.remove(id);
                    inserted.remove(id);
                }
            } else if (!now.equals(before)) {
                evaluation.upsert(CityFacts.node(now));
                inserted.put(id, now);
                if (before == null) {
                    facts.readings(id).forEach(evaluation::reading);
                }
            }
        }
        for (String key : dirtyReadings.keySet()) {
            SensorReading r = dirtyReadings.remove(key); // a newer reading put meanwhile stays for the next pass
            if (r != null && inserted.containsKey(r.nodeId())) {
                evaluation.reading(CityFacts.reading(r));
            }
        }
    }

    private void fail(String message) {
        log.error("Policy evaluation stopped: {}; the last stored decisions stay", message);
        closeEvaluation();
        failedAt = System.currentTimeMillis();
        status = new Status(status.active(), message);
    }

    private void closeEvaluation() {
        if (evaluation != null) {
            evaluation.close();
            evaluation = null;
        }
        inserted = new HashMap<>();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        thread.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before {@link ActivationWatcher}, which feeds it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
