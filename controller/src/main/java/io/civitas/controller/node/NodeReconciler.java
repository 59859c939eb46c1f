package io.civitas.controller.node;

import io.civitas.controller.CivitasProperties;
import io.civitas.controller.agent.AgentChannel;
import io.civitas.controller.agent.AgentUnreachableException;
import io.civitas.controller.agent.StaleEpochException;
import io.civitas.controller.cluster.Mastership;
import io.civitas.controller.cluster.ZooKeeperLink;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingDefaults;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Drives each node's applied generation up to its desired one, level-triggered: a key is only a node id;
 * every pass re-reads desired and reported state (from the mirror of {@code /nodes}, which publishes a
 * {@link NodeChanged} after each update it takes in, so a pass that saw a lagging value is followed by one that
 * does not) and pushes when the node's agent holds a ready session here and is behind. A failed push is retried with capped exponential backoff and full
 * jitter; a success resets it. Events ({@link NodeChanged}) and a periodic resync feed the queue.
 *
 * <p>Only the controller holding a node's agent session pushes to it; the others find it not ready here.
 * Fencing: nothing is pushed while this controller's ZooKeeper link is down ({@link ZooKeeperLink}), nor to
 * a node whose mastership record is not owned by this controller's live session ({@link Mastership}); every
 * node is looked at again when the link comes back. Every push carries the mastership epoch; an agent that has
 * accepted a newer one refuses it ({@link StaleEpochException}), which is final: the node is not pushed again
 * until ZooKeeper says this controller's mastership is at least that new.
 */
@Component
class NodeReconciler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeReconciler.class);
    /**
     * How long agents told the city's defaults have to answer before they are looked at (and pushed) again: their
     * longest answer pause and a second.
     */
    static final Duration ANNOUNCED_GRACE = Duration.ofMillis(
            SamplingDefaults.ANSWER_PAUSE_MIN_MILLIS + SamplingDefaults.ANSWER_SPREAD_MILLIS + 1_000);

    private final NodeStateStore states;
    private final PresenceStore presences;
    private final NodeCache cache;
    private final AgentChannel agents;
    private final ZooKeeperLink link;
    private final Mastership mastership;
    private final CivitasProperties.Reconcile settings;
    private final Backoff backoff;
    private final WorkQueue queue = new WorkQueue();
    private final AppliedGenerations applied;
    /** Nodes whose agent refused a push as stale, with the epoch it holds: no push below it. */
    private final Map<String, Long> staleEpochs = new ConcurrentHashMap<>();
    private ExecutorService workers;
    private ScheduledExecutorService resync;
    private volatile boolean running;

    NodeReconciler(NodeStateStore states, PresenceStore presences, NodeCache cache, AgentChannel agents,
                   ZooKeeperLink link, Mastership mastership, CivitasProperties properties, CuratorFramework zk) {
        this.states = states;
        this.applied = new AppliedGenerations(zk, states, cache, queue::add);
        this.presences = presences;
        this.cache = cache;
        this.agents = agents;
        this.link = link;
        this.mastership = mastership;
        link.addListener(writable -> {
            if (writable && running) {
                queue.addAll(cache.ids());
            }
        });
        agents.onApplied(this::reported);
        this.settings = properties.reconcile();
        this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap(), RandomGenerator.getDefault());
    }

    /**
     * The city's defaults are part of every node's desired state. The agents here that take them as a message
     * ({@link AgentChannel#announce}) are told at once, all with the same bytes, and answer with what they applied
     * ({@link #reported}); they are looked at again after {@link #ANNOUNCED_GRACE} (a push for whoever did not get
     * there). Every other node is looked at as soon as the message is written (not meanwhile: the same cores write
     * it). No fencing epoch on the message: it carries a version of a ZooKeeper record that only grows, and an agent
     * takes only a newer one, so even a deposed controller's copy can only be ignored or be the truth; but nothing
     * is sent while the link is down.
     */
    @EventListener
    public void onCityDefaultsChanged(CityDefaults.Changed event) {
        if (!running) {
            return;
        }
        if (!link.writable()) {
            queue.addAll(cache.ids());
            return;
        }
        agents.announce(event.now().message()).whenCompleteAsync((told, failed) -> {
            if (failed != null || told.isEmpty()) {
                if (failed != null) {
                    log.warn("Telling agents the city's defaults failed ({}): every node is looked at", failed.toString());
                }
                queue.addAll(cache.ids());
                return;
            }
            queue.addAll(cache.ids().stream().filter(id -> !told.contains(id)).toList());
            resync.schedule(() -> queue.addAll(told), ANNOUNCED_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }, resync);
    }

    /**
     * An agent's answer to the city's defaults: recorded like a push's answer; one that stayed behind (it had not
     * got its own state yet, or could not use them) is pushed its whole state now. An answer comes unasked, so one
     * above the node's desired generation is not believed: recorded, it would stop every push to the node. On the
     * thread that read the answer: the mirror only, nothing that blocks.
     */
    private void reported(String id, AppliedState state) {
        Optional<DesiredState> desired = states.desiredMirrorOnly(id);
        if (desired.isPresent() && state.generation() > desired.get().generation()) {
            log.warn("Node {} says it applied generation {}, above its desired {} as this controller knows it: ignored"
                    + " (the next look at the node settles it)", id, state.generation(), desired.get().generation());
            return;
        }
        applied.record(id, state.generation(), state.appliedAtMillis());
        if (desired.isEmpty() || state.generation() < desired.get().generation()) {
            queue.add(id);
        }
    }

    @EventListener
    public void onNodeChanged(NodeChanged event) {
        queue.add(event.nodeId());
    }

    @Override
    public synchronized void start() {
        resync = Executors.newSingleThreadScheduledExecutor(r -> WorkQueue.daemon(r, "reconcile-resync"));
        running = true;
        int n = Math.max(1, settings.workers());
        workers = Executors.newFixedThreadPool(n, r -> WorkQueue.daemon(r, "reconcile-worker"));
        for (int i = 0; i < n; i++) {
            workers.execute(this::work);
        }
        long period = Math.max(1, settings.resync().toMillis());
        resync.scheduleWithFixedDelay(() -> queue.addAll(cache.ids()), 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        running = false;
        queue.close();
        if (workers != null) {
            resync.shutdownNow();
            workers.shutdownNow();
            applied.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void work() {
        while (running) {
            String id;
            try {
                id = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (id == null) {
                return;
            }
            try {
                reconcile(id).whenComplete((ignored, error) -> queue.done(id));
            } catch (RuntimeException e) {
                retryLater(id, e);
                queue.done(id);
            }
        }
    }

    /** One pass for one node; the future completes when the key may be handed out again. */
    CompletableFuture<Void> reconcile(String id) {
        if (!link.writable()) {
            return CompletableFuture.completedFuture(null); // fenced; all are queued again when the link is back
        }
        Optional<DesiredState> desired = states.desiredMirrored(id);
        if (desired.isEmpty()) { // deleted
            backoff.reset(id);
            staleEpochs.remove(id);
            return CompletableFuture.completedFuture(null);
        }
        long want = desired.get().generation();
        long have = applied.applied(id, states.reportedMirrored(id).map(Znodes.Reported::appliedGeneration).orElse(0L));
        if (have >= want) {
            backoff.reset(id);
            return CompletableFuture.completedFuture(null);
        }
        if (!agents.isReady(id)) {
            if (presences.heldHere(id)) {
                retryLater(id, null); // joined here but has not said hello yet
            } else {
                backoff.reset(id); // not ours to push: its session's controller (if any) will
            }
            return CompletableFuture.completedFuture(null);
        }
        // The mirror first: a ZooKeeper read per push held up every push of a city-wide change. It may lag a
        // take-over by a watch's time; the agent refuses a write whose epoch is older than one it has accepted.
        long epoch = cache.presenceEpoch(id, link.sessionId());
        if (epoch < 0) {
            epoch = mastership.epoch(id); // the mirror has not seen this session's record yet: ask ZooKeeper
        }
        if (epoch < 0) {
            retryLater(id, null); // the agent is here but the mastership record is not (yet) this session's
            return CompletableFuture.completedFuture(null);
        }
        Long refusedBelow = staleEpochs.get(id);
        if (refusedBelow != null && epoch < refusedBelow) {
            // The agent took a newer mastership's write: ask ZooKeeper, not the mirror, whether that one is ours.
            epoch = mastership.epoch(id);
            if (epoch < refusedBelow) {
                log.info("Not pushing to node {}: it accepted mastership epoch {}, this controller holds {}", id,
                        refusedBelow, epoch);
                backoff.reset(id); // its newer master pushes; the resync looks again
                return CompletableFuture.completedFuture(null);
            }
        }
        staleEpochs.remove(id);
        long pushed = epoch;
        log.debug("Pushing generation {} to node {} (applied {}, mastership epoch {})", want, id, have, pushed);
        return agents.apply(id, desired.get(), pushed).copy()
                .orTimeout(settings.applyTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((applied, error) -> {
                    // On the thread that completed the push (an agent's connection): nothing here blocks, and a
                    // hand-over to another thread per answer cost a city-wide push more than the work itself.
                    afterPush(id, want, applied, error);
                    return null;
                });
    }

    private void afterPush(String id, long want, AppliedState applied, Throwable error) {
        if (unwrapped(error) instanceof StaleEpochException stale) {
            // Final for this push: no backoff loop. The next pass re-reads mastership before pushing again.
            log.warn("Push to node {} refused: {}", id, stale.getMessage());
            staleEpochs.merge(id, Math.max(stale.heldEpoch(), stale.offeredEpoch() + 1), Math::max);
            backoff.reset(id);
            queue.add(id);
            return;
        }
        if (error != null || applied == null) {
            retryLater(id, error);
            return;
        }
        this.applied.record(id, applied.generation(), applied.appliedAtMillis()); // batched; a failure re-queues
        if (applied.generation() >= want) {
            backoff.reset(id);
            log.debug("Node {} applied generation {}", id, applied.generation()); // info: 10,000 lines a city change
        } else {
            retryLater(id, new IllegalStateException("agent applied generation " + applied.generation()
                    + " of " + want));
        }
    }

    private void retryLater(String id, Throwable cause) {
        Duration delay = backoff.next(id);
        Throwable reason = unwrapped(cause);
        if (reason == null || reason instanceof AgentUnreachableException) {
            log.debug("Node {} not ready; next look in {} ms", id, delay.toMillis());
        } else {
            log.warn("Push to node {} failed ({} in a row): {}; retry in {} ms", id, backoff.failures(id),
                    reason.toString(), delay.toMillis());
        }
        queue.addAfter(id, delay);
    }

    private static Throwable unwrapped(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
