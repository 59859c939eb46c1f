package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.civitas.controller.agent.AgentEvents;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.SensorReading;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ws.wamp.jawampa.WampMessages.EventMessage;
import ws.wamp.jawampa.WampSerialization;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

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
    private static final ObjectMapper JSON = WampSerialization.Json.getObjectMapper();
    private final ExecutorService[] eventThreads = new ExecutorService[STRIPES];
    private final ExecutorService credentialChecks = Executors.newFixedThreadPool(2, daemon("agent-auth"));
    private volatile BiConsumer<String, AppliedState> applied = (node, state) -> { };
    /** The event loops agent connections here have been served by (a handful: the WAMP server's workers). */
    private final Set<EventExecutor> eventLoops = ConcurrentHashMap.newKeySet();

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
        WebSocketTransport.Connection connection = gate.connection();
        if (connection != null) {
            eventLoops.add(connection.channel().eventLoop());
        }
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

    void onApplied(BiConsumer<String, AppliedState> listener) {
        this.applied = listener;
    }

    /** What an agent published on its applied topic; a malformed report is dropped (the reconciler looks again). */
    void appliedReported(SessionGate gate, JsonNode report) {
        try {
            AppliedState s = report == null ? null : JSON.treeToValue(report, AppliedState.class);
            if (s != null && gate.isReady()) {
                applied.accept(gate.nodeId(), new AppliedState(gate.nodeId(), s.generation(), s.appliedAtMillis()));
            }
        } catch (Exception e) {
            log.debug("node {} reported a malformed applied state: {}", gate.nodeId(), e.toString());
        }
    }

    /**
     * Sends the city's defaults as a WAMP EVENT to every ready session here that subscribed to them; completes with
     * their nodes once every event loop has written. Not through the router, which hands each subscriber its
     * message from its one thread and takes each write's completion back there: each event loop gets one task, at
     * once, that writes the EVENT to its own connections, encoded once (per subscription id and serialization: in
     * practice once). A session that comes or goes meanwhile is at worst pushed its state as well.
     */
    CompletableFuture<Set<String>> announce(SamplingDefaults defaults) {
        long publication = ThreadLocalRandom.current().nextLong(1, 1L << 53);
        ArrayNode arguments = JSON.createArrayNode().addPOJO(defaults);
        Map<EncodedKey, byte[]> encoded = new ConcurrentHashMap<>();
        List<CompletableFuture<List<String>>> written = new ArrayList<>();
        for (EventExecutor loop : eventLoops) {
            CompletableFuture<List<String>> told = new CompletableFuture<>();
            written.add(told);
            try {
                loop.execute(() -> {
                    List<String> mine = new ArrayList<>();
                    try {
                        byNode.forEach((id, gate) -> {
                            WebSocketTransport.Connection connection = gate.connection();
                            if (gate.takesDefaults() && connection.channel().eventLoop() == loop) {
                                connection.sendEncoded(encoded.computeIfAbsent(
                                        new EncodedKey(gate.defaultsSubscription(), connection.serialization()),
                                        key -> event(key, publication, arguments)));
                                mine.add(id);
                            }
                        });
                    } finally {
                        told.complete(mine); // what it wrote until then; the rest are pushed
                    }
                });
            } catch (RejectedExecutionException shuttingDown) {
                told.complete(List.of());
            }
        }
        return CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Set<String> nodes = new HashSet<>();
            written.forEach(w -> nodes.addAll(w.join()));
            return nodes;
        });
    }

    private record EncodedKey(long subscription, WampSerialization serialization) {}

    private static byte[] event(EncodedKey key, long publication, ArrayNode arguments) {
        try {
            return WebSocketTransport.encode(new EventMessage(key.subscription(), publication, Json.object(), arguments,
                    null), key.serialization());
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode the city's defaults: " + e.getMessage(), e);
        }
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
