package io.civitas.controller.southbound;

import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.Member;
import io.civitas.overlay.Overlay;
import io.civitas.overlay.OverlayRegistry;
import io.civitas.overlay.openflow.GatewayInput;
import io.civitas.overlay.openflow.GatewayInput.OverlayOnGateway;
import io.civitas.overlay.openflow.GatewayInput.RemoteMember;
import io.civitas.overlay.openflow.GatewayInput.VmPort;
import io.civitas.overlay.openflow.GatewayProgram;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Keeps each gateway bridge's desired flows equal to {@link GatewayProgram} of what ZooKeeper holds: the
 * bridge's gateway settings, its VM attachments, and the members of their overlays with their VTEPs (a node's
 * {@code /nodes/<id>/underlay} address; a VM's gateway tunnel address). Recomputed when a switch connects, when
 * an attachment changes, and every resync period (which also repairs drift in the switch). Bridges with no
 * gateway settings are left alone.
 */
final class GatewayPrograms implements SwitchListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayPrograms.class);
    private final GatewayStore store;
    private final OverlayRegistry overlays;
    private final AddressAllocator allocator;
    private final Southbound southbound;
    private final VmVteps vmVteps;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gateway-programs");
        t.setDaemon(true);
        return t;
    });

    GatewayPrograms(GatewayStore store, OverlayRegistry overlays, AddressAllocator allocator, Southbound southbound,
                    Duration resync) {
        this.store = store;
        this.overlays = overlays;
        this.allocator = allocator;
        this.southbound = southbound;
        this.vmVteps = new VmVteps(store);
        southbound.switches().addListener(this);
        long ms = resync.toMillis();
        executor.scheduleWithFixedDelay(this::refreshAll, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void switchActivated(OpenFlowSwitch sw) {
        executor.execute(() -> refresh(sw.dpid()));
    }

    void refreshLater(DatapathId dpid) {
        executor.execute(() -> refresh(dpid));
    }

    private void refreshAll() {
        southbound.switches().all().forEach(sw -> refresh(sw.dpid()));
    }

    void refresh(DatapathId dpid) {
        try {
            input(dpid).ifPresent(input -> southbound.desiredFlows().put(dpid, GatewayProgram.of(input)));
        } catch (RuntimeException e) {
            log.warn("Cannot compute the gateway program of {}: {}", dpid, e.getMessage());
        }
    }

    /** The gateway program's input for {@code dpid}, or empty when it is not a gateway. */
    Optional<GatewayInput> input(DatapathId dpid) {
        Optional<GatewayStore.Gateway> gateway = store.gateway(dpid);
        if (gateway.isEmpty()) {
            return Optional.empty();
        }
        List<GatewayStore.Attachment> all = store.all();
        Map<String, GatewayStore.Attachment> byMember = all.stream()
                .collect(Collectors.toMap(GatewayStore.Attachment::memberId, a -> a));
        Map<String, List<GatewayStore.Attachment>> mine = new TreeMap<>(all.stream()
                .filter(a -> a.dpid().equals(GatewayStore.name(dpid)))
                .collect(Collectors.groupingBy(GatewayStore.Attachment::overlay)));
        List<OverlayOnGateway> onGateway = new ArrayList<>();
        mine.forEach((overlayName, vms) -> {
            Optional<Overlay> overlay = overlays.get(overlayName);
            if (overlay.isEmpty()) {
                return;
            }
            Set<String> local = vms.stream().map(GatewayStore.Attachment::memberId).collect(Collectors.toSet());
            List<RemoteMember> remotes = new ArrayList<>();
            for (Member m : allocator.members(overlayName)) {
                if (local.contains(m.nodeId())) {
                    continue;
                }
                Optional<String> vtep = byMember.containsKey(m.nodeId()) ? vmVteps.vtep(m.nodeId())
                        : store.underlay(m.nodeId());
                vtep.ifPresent(v -> remotes.add(new RemoteMember(m.nodeId(), v, m.mac(), m.address())));
            }
            onGateway.add(new OverlayOnGateway(overlayName, overlay.get().vni(), vms.stream()
                    .map(a -> new VmPort(a.name(), a.port(), a.mac(), a.address())).toList(), remotes));
        });
        return Optional.of(new GatewayInput(gateway.get().tunnelAddress(), gateway.get().vxlanPort(), onGateway));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
