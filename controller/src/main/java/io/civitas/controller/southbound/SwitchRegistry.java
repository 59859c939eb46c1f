package io.civitas.controller.southbound;

import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The switches connected to this controller, by datapath id, and the listeners told of their events.
 * A second connection claiming the datapath id of a live connection is refused: it never evicts the first
 * (a spoofed or misconfigured switch cannot take a real one off the controller). A connection counts as live
 * while its channel is open and it has sent something within three echo intervals; a dead one is replaced.
 */
public final class SwitchRegistry {

    private static final Logger log = LoggerFactory.getLogger(SwitchRegistry.class);
    private final Map<DatapathId, OpenFlowSwitch> switches = new ConcurrentHashMap<>();
    private final List<SwitchListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong refusedDuplicates = new AtomicLong();
    private final long liveNanos;

    public SwitchRegistry(Duration echoInterval) {
        this.liveNanos = echoInterval.multipliedBy(3).toNanos();
    }

    public void addListener(SwitchListener listener) {
        listeners.add(listener);
    }

    public Collection<OpenFlowSwitch> all() {
        return List.copyOf(switches.values());
    }

    public Optional<OpenFlowSwitch> get(DatapathId dpid) {
        return Optional.ofNullable(switches.get(dpid));
    }

    /** How many connections were refused because their datapath id was already connected and live. */
    public long refusedDuplicates() {
        return refusedDuplicates.get();
    }

    /** Registers a switch that finished its handshake; false (and nothing changes) if its dpid is taken. */
    boolean admit(OpenFlowSwitch sw) {
        OpenFlowSwitch[] evicted = new OpenFlowSwitch[1];
        boolean[] admitted = new boolean[1];
        switches.compute(sw.dpid(), (dpid, old) -> {
            if (old != null && old.isConnected() && System.nanoTime() - old.lastReceivedNanos() < liveNanos) {
                return old;
            }
            evicted[0] = old;
            admitted[0] = true;
            return sw;
        });
        if (!admitted[0]) {
            refusedDuplicates.incrementAndGet();
            log.warn("Refused a second connection for datapath {} from {}: it is connected and live at {}",
                    sw.dpid(), sw.remoteAddress(), switches.get(sw.dpid()).remoteAddress());
            return false;
        }
        if (evicted[0] != null) {
            log.info("Datapath {} reconnected from {}; its silent connection from {} is closed",
                    sw.dpid(), sw.remoteAddress(), evicted[0].remoteAddress());
            evicted[0].disconnect();
        }
        log.info("Switch {} connected from {} ({} {})", sw.dpid(), sw.remoteAddress(),
                sw.description().getMfrDesc(), sw.description().getSwDesc());
        fire(l -> l.switchActivated(sw));
        return true;
    }

    void remove(OpenFlowSwitch sw) {
        if (switches.remove(sw.dpid(), sw)) {
            log.info("Switch {} disconnected", sw.dpid());
            sw.disconnected();
            fire(l -> l.switchDisconnected(sw));
        }
    }

    void fire(Consumer<SwitchListener> event) {
        for (SwitchListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("A switch listener failed", e);
            }
        }
    }
}
