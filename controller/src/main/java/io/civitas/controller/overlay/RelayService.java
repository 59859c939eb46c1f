package io.civitas.controller.overlay;

import io.civitas.controller.node.NodeChanged;
import io.civitas.controller.node.NodeOverlayParts;
import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.Member;
import io.civitas.overlay.Overlay;
import io.civitas.overlay.OverlayRegistry;
import io.civitas.overlay.Relay;
import io.civitas.overlay.RelayMember;
import io.civitas.protocol.Underlay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs overlay-net's {@link Relay} for nodes behind NAT when {@code civitas.overlay.relay-address} is set, and
 * keeps its member table equal to the overlays' members and their underlays. Level-triggered: any node change
 * schedules a rebuild of the whole table (coalesced), and a periodic rebuild catches what events missed.
 */
@Component
class RelayService implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(RelayService.class);
    private static final long COALESCE_MILLIS = 100;
    private static final long RESYNC_SECONDS = 10;

    private final OverlaySettings settings;
    private final OverlayRegistry registry;
    private final AddressAllocator allocator;
    private final NodeOverlayParts parts;
    private final AtomicBoolean pending = new AtomicBoolean();
    private ScheduledExecutorService updates;
    private volatile Relay relay;

    RelayService(OverlaySettings settings, OverlayRegistry registry, AddressAllocator allocator, NodeOverlayParts parts) {
        this.settings = settings;
        this.registry = registry;
        this.allocator = allocator;
        this.parts = parts;
    }

    @Override
    public synchronized void start() {
        if (!settings.hasRelay()) {
            return;
        }
        relay = Relay.start(settings.relayAddress(), settings.relayPort());
        log.info("Overlay relay for nodes behind NAT on udp://{}:{}", settings.relayAddress(), settings.relayPort());
        updates = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "overlay-relay-table");
            t.setDaemon(true);
            return t;
        });
        updates.scheduleWithFixedDelay(this::rebuild, 0, RESYNC_SECONDS, TimeUnit.SECONDS);
    }

    @EventListener
    public void onNodeChanged(NodeChanged event) {
        if (updates != null && pending.compareAndSet(false, true)) {
            updates.schedule(this::rebuild, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void rebuild() {
        pending.set(false);
        try {
            Map<Integer, List<RelayMember>> table = new HashMap<>();
            for (Overlay overlay : registry.list()) {
                List<RelayMember> members = new ArrayList<>();
                for (Member m : allocator.members(overlay.name())) {
                    Underlay u = parts.underlay(m.nodeId()).orElse(null);
                    if (u == null) {
                        continue;
                    }
                    if (u.behindNat()) {
                        if (u.publicAddress() != null) {
                            members.add(RelayMember.behindNat(m.nodeId(), m.mac(), u.publicAddress()));
                        }
                    } else {
                        members.add(RelayMember.direct(m.nodeId(), m.mac(), u.address(), u.port()));
                    }
                }
                table.put(overlay.vni(), members);
            }
            relay.update(table);
        } catch (RuntimeException e) {
            log.warn("Could not update the relay's members: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (updates != null) {
            updates.shutdownNow();
            updates = null;
        }
        if (relay != null) {
            relay.close();
            relay = null;
        }
    }

    @Override
    public boolean isRunning() {
        return relay != null;
    }
}
