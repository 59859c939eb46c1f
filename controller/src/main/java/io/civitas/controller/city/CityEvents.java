package io.civitas.controller.city;

import io.civitas.controller.node.NodeChanged;
import io.civitas.controller.node.NodeSummaries;
import io.civitas.controller.node.NodeSummaries.NodeSummary;
import io.civitas.controller.node.ReadingRecorded;
import io.civitas.controller.system.ApiException;
import io.civitas.protocol.SensorReading;
import io.civitas.controller.policy.PolicyActivationChanged;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live feed behind {@code GET /api/v1/events}: turns {@link NodeChanged}, {@link ReadingRecorded}
 * and policy activations into SSE events for every connected browser. A node event is sent as soon as
 * its NodeChanged arrives (no batching: a node going offline reaches the browser in milliseconds), and
 * only when the node's JSON really changed. Slow clients are dropped by their own {@link EventClient}.
 */
@Component
class CityEvents implements AutoCloseable {

    static final int MAX_CLIENTS = 256;
    static final long HEARTBEAT_SECONDS = 15;

    record Removed(String id) {}

    record Reading(String nodeId, String sensor, double value, String unit, long timeMillis) {}

    record Policy(Map<String, Integer> active) {}

    private final NodeSummaries summaries;
    private final JsonMapper json;
    private final Set<EventClient> clients = ConcurrentHashMap.newKeySet();
    private final Map<String, String> lastSent = new ConcurrentHashMap<>();
    private final AtomicLong serial = new AtomicLong();
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sse-heartbeat");
        t.setDaemon(true);
        return t;
    });

    CityEvents(NodeSummaries summaries, JsonMapper json) {
        this.summaries = summaries;
        this.json = json;
        heartbeat.scheduleAtFixedRate(() -> broadcast(EventClient.Frame.comment("heartbeat")),
                HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    /** A new stream without a timeout; it ends when the client goes, errs or falls behind. */
    SseEmitter connect() {
        if (clients.size() >= MAX_CLIENTS) {
            throw ApiException.unavailable("too many event streams are open (" + MAX_CLIENTS + "); try again later");
        }
        SseEmitter emitter = new SseEmitter(0L);
        EventClient[] holder = new EventClient[1];
        EventClient client = new EventClient(emitter, () -> clients.remove(holder[0]),
                "sse-client-" + serial.incrementAndGet());
        holder[0] = client;
        emitter.onCompletion(client::close);
        emitter.onTimeout(client::close);
        emitter.onError(e -> client.close());
        clients.add(client);
        client.offer(EventClient.Frame.comment("connected"));
        return emitter;
    }

    int clientCount() {
        return clients.size();
    }

    @EventListener
    void nodeChanged(NodeChanged changed) {
        if (clients.isEmpty()) {
            lastSent.clear(); // nobody saw them: the next client starts from GET /topology anyway
            return;
        }
        String id = changed.nodeId();
        NodeSummary summary = summaries.summary(id).orElse(null);
        if (summary == null) {
            lastSent.remove(id);
            broadcast(event("node-removed", new Removed(id)));
            return;
        }
        String body = json.writeValueAsString(summary);
        if (!Objects.equals(lastSent.put(id, body), body)) {
            broadcast(new EventClient.Frame("node", body));
        }
    }

    @EventListener
    void readingRecorded(ReadingRecorded recorded) {
        SensorReading r = recorded.reading();
        if (!clients.isEmpty() && r.sensor() != null) {
            broadcast(event("reading", new Reading(recorded.nodeId(), r.sensor(), r.value(), r.unit(), r.timeMillis())));
        }
    }

    @EventListener
    void policyActivated(PolicyActivationChanged changed) {
        broadcast(event("policy", new Policy(changed.active())));
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        clients.forEach(EventClient::close);
    }

    private EventClient.Frame event(String name, Object data) {
        return new EventClient.Frame(name, json.writeValueAsString(data));
    }

    private void broadcast(EventClient.Frame event) {
        clients.forEach(client -> client.offer(event));
    }
}
