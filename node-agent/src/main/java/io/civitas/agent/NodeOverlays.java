package io.civitas.agent;

import io.civitas.overlay.DatapathException;
import io.civitas.overlay.PeerProbe;
import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.OverlayStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The node's overlays: the one place the agent puts {@link OverlayPlan}s into the network stack, through a
 * {@link Datapath} chosen per overlay (see {@link Datapaths}), and the one place it observes them (devices up,
 * each peer probed). Level-triggered like the rest of the agent: {@link #apply} makes the installed overlays
 * equal to the plans (applying each, removing what no plan names), so calling it again changes nothing, and
 * {@link #check} re-applies whatever drifted (a device deleted by hand comes back on the next check).
 *
 * <p>With datapath {@code none} (no privileges, or chosen) the plans are recorded and reported, nothing is
 * programmed.
 */
final class NodeOverlays implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(NodeOverlays.class);

    private final String nodeId;
    private final Datapaths datapaths;
    private final PeerProbe probe;
    private final Clock clock;
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "civitas-agent-probe");
        t.setDaemon(true);
        return t;
    });
    /** The plans in effect by VNI, and the last apply error per VNI. */
    private final Map<Integer, OverlayPlan> plans = new TreeMap<>();
    private final Map<Integer, String> errors = new HashMap<>();

    NodeOverlays(String nodeId, Datapaths datapaths, Clock clock) {
        this.nodeId = nodeId;
        this.datapaths = datapaths;
        this.probe = new PeerProbe(datapaths.netns());
        this.clock = clock;
    }

    /**
     * Makes the node's overlays equal to {@code wanted}. A plan that cannot be applied fails the whole call with
     * a {@link DatapathException} naming it (the datapath deletes the devices that apply made); overlays applied
     * before it in this call stay, being part of the wanted state anyway, and the controller retries the rest.
     */
    synchronized void apply(List<OverlayPlan> wanted) {
        Map<Integer, OverlayPlan> next = new TreeMap<>();
        for (OverlayPlan plan : wanted) {
            if (!nodeId.equals(plan.nodeId())) {
                throw new DatapathException("overlay " + plan.overlay() + ": plan of node " + plan.nodeId()
                        + " sent to node " + nodeId);
            }
            if (next.put(plan.vni(), plan) != null) {
                throw new DatapathException("overlay " + plan.overlay() + ": VNI " + plan.vni() + " is planned twice");
            }
        }
        for (Integer stale : installedVnis()) {
            if (!next.containsKey(stale)) {
                datapaths.remove(stale);
                plans.remove(stale);
                errors.remove(stale);
                log.info("Left overlay with VNI {}: devices removed", stale);
            }
        }
        for (OverlayPlan plan : next.values()) {
            try {
                datapaths.apply(plan);
                errors.remove(plan.vni());
            } catch (RuntimeException e) {
                errors.put(plan.vni(), e.getMessage());
                throw e instanceof DatapathException d ? d : new DatapathException(e.getMessage(), e);
            }
            plans.put(plan.vni(), plan);
        }
        plans.keySet().retainAll(next.keySet());
    }

    /** Re-applies every plan in effect whose devices are gone; logs rather than throws (it runs on a timer). */
    synchronized void check() {
        Set<Integer> installed = installedVnis();
        for (OverlayPlan plan : plans.values()) {
            if (!installed.contains(plan.vni()) && datapaths.programs()) {
                try {
                    datapaths.apply(plan);
                    errors.remove(plan.vni());
                    log.info("Overlay {} had drifted (devices missing): re-applied", plan.overlay());
                } catch (RuntimeException e) {
                    errors.put(plan.vni(), e.getMessage());
                    log.warn("Overlay {} drifted and could not be re-applied: {}", plan.overlay(), e.getMessage());
                }
            }
        }
    }

    /** Devices up and a probe of every peer, probed in parallel (each bounded to a second). */
    OverlayStatus status() {
        List<OverlayPlan> current;
        Map<Integer, String> currentErrors;
        Set<Integer> installed;
        synchronized (this) {
            current = new ArrayList<>(plans.values());
            currentErrors = new HashMap<>(errors);
            installed = installedVnis();
        }
        List<OverlayStatus.Overlay> overlays = new ArrayList<>();
        for (OverlayPlan plan : current) {
            boolean up = !datapaths.programs() || installed.contains(plan.vni());
            String device = datapaths.device(plan.vni());
            List<CompletableFuture<OverlayStatus.Peer>> peers = new ArrayList<>();
            for (OverlayPlan.Peer peer : plan.peers()) {
                peers.add(CompletableFuture.supplyAsync(() -> {
                    double rtt = up && datapaths.programs() ? probe.rttMillis(device, peer.address()) : -1;
                    return new OverlayStatus.Peer(peer.nodeId(), peer.address(), rtt >= 0, rtt);
                }, probes));
            }
            overlays.add(new OverlayStatus.Overlay(plan.overlay(), plan.vni(), datapaths.kindOf(plan.vni()), device, up,
                    currentErrors.get(plan.vni()), peers.stream().map(CompletableFuture::join).toList()));
        }
        return new OverlayStatus(nodeId, clock.millis(), overlays);
    }

    /** The device an overlay's traffic can be captured on (its overlay address lives there). */
    synchronized String deviceOf(String overlay) {
        return plans.values().stream().filter(p -> p.overlay().equals(overlay)).findFirst()
                .map(p -> datapaths.device(p.vni())).orElse(null);
    }

    String netns() {
        return datapaths.netns();
    }

    private Set<Integer> installedVnis() {
        return datapaths.programs() ? datapaths.installed() : new HashSet<>(plans.keySet());
    }

    @Override
    public void close() {
        probes.shutdownNow();
        datapaths.close();
    }
}
