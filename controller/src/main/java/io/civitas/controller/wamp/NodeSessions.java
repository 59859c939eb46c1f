package io.civitas.controller.wamp;

import io.civitas.controller.agent.AgentEvents;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.SensorReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The agent sessions on this controller, one per node, and the hand-off of their events to
 * {@link AgentEvents} on worker threads, so the router's single event loop never waits on
 * ZooKeeper. A node's events always go to the same thread (one of {@link #STRIPES}, by node id), which keeps
 * them in the order the router saw them; different nodes' events run in parallel, since each costs a few
 * ZooKeeper round trips and a thousand agents re-homing at once would otherwise queue behind one thread.
 */
final class NodeSessions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeSessions.class);

    private final AgentEvents events;
    private final ConcurrentHashMap<String, SessionGate> byNode = new ConcurrentHashMap<>();
    static final int STRIPES = 8;
    private final ExecutorService[] eventThreads = new ExecutorService[STRIPES];
    private final ExecutorService credentialChecks = Executors.newFixedThreadPool(2, daemon("agent-auth"));

    NodeSessions(AgentEvents events) {
        this.events = events;
        for (int i = 0; i < STRIPES; i++) {
            eventThreads[i] = Executors.newSingleThreadExecutor(daemon("agent-events-" + i));
        }
    }

    CompletableFuture<Boolean> verify(String nodeId, String secret) {
        return CompletableFuture.supplyAsync(() -> events.verifyCredential(nodeId, secret), credentialChecks)
                .exceptionally(e -> {
                    log.warn("credential check for node {} failed: {}", nodeId, e.toString());
                    return false;
                });
    }

    /** A session was welcomed. A node has one session here: an older one is ended (the agent reconnected). */
    void joined(SessionGate gate) {
        SessionGate previous = byNode.put(gate.nodeId(), gate);
        if (previous != null && previous != gate) {
            previous.evict("a newer session of node " + gate.nodeId() + " took over");
        }
        dispatch(gate.nodeId(), () -> events.sessionJoined(gate.nodeId(), gate.sessionId(), gate.remoteAddress()));
    }

    void left(SessionGate gate) {
        byNode.remove(gate.nodeId(), gate);
        dispatch(gate.nodeId(), () -> events.sessionLeft(gate.nodeId(), gate.sessionId()));
    }

    /** The node's current session, if it is {@code sessionId}; else null. */
    SessionGate current(String nodeId, long sessionId) {
        SessionGate gate = byNode.get(nodeId);
        return gate != null && gate.sessionId() == sessionId ? gate : null;
    }

    void helloReceived(SessionGate gate, AgentHello hello) {
        gate.markReady();
        dispatch(gate.nodeId(), () -> events.helloReceived(gate.nodeId(), gate.sessionId(), hello));
    }

    void overlayStatusReceived(String nodeId, io.civitas.protocol.OverlayStatus status) {
        dispatch(nodeId, () -> events.overlayStatusReceived(nodeId, status));
    }

    void readingReceived(String nodeId, SensorReading reading) {
        dispatch(nodeId, () -> events.readingReceived(nodeId, reading));
    }

    /** The node's session if it said hello, else null. */
    SessionGate ready(String nodeId) {
        SessionGate gate = byNode.get(nodeId);
        return gate != null && gate.isReady() ? gate : null;
    }

    boolean isReady(String nodeId) {
        SessionGate gate = byNode.get(nodeId);
        return gate != null && gate.isReady();
    }

    void disconnect(String nodeId, String why) {
        SessionGate gate = byNode.get(nodeId);
        if (gate != null) {
            gate.evict(why);
        }
    }

    private void dispatch(String nodeId, Runnable event) {
        eventThreads[Math.floorMod(nodeId.hashCode(), STRIPES)].execute(() -> {
            try {
                event.run();
            } catch (RuntimeException e) {
                log.warn("handling an event of node {} failed: {}", nodeId, e.toString());
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        byNode.values().forEach(g -> g.evict("controller shutting down"));
        credentialChecks.shutdownNow();
        for (ExecutorService t : eventThreads) {
            t.shutdown();
        }
        for (ExecutorService t : eventThreads) {
            t.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
