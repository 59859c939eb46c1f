package io.civitas.agent;

import io.civitas.overlay.Datapath;
import io.civitas.overlay.DeviceNames;
import io.civitas.overlay.KernelDatapath;
import io.civitas.protocol.OverlayPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The datapath the agent's overlays run on, chosen once from {@link OverlayConfig}: {@code kernel} (Linux
 * VXLAN, bridge and TAP through iproute2), or {@code none} when the agent may not program the network (not
 * root, no /dev/net/tun) or was told not to: then plans are only recorded.
 */
class Datapaths implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Datapaths.class);

    private final String mode;
    private final String netns;
    private final Datapath datapath;

    Datapaths(String mode, String netns, Datapath datapath) {
        this.mode = mode;
        this.netns = netns;
        this.datapath = datapath;
    }

    static Datapaths from(OverlayConfig config) {
        String mode = config.datapath();
        if (mode.equals("none")) {
            return new Datapaths("none", config.netns(), null);
        }
        String missing = missingPrivilege();
        if (missing != null) {
            if (!mode.equals("auto")) {
                throw new AgentException(AgentException.Kind.CONFIGURATION,
                        "datapath " + mode + " needs " + missing + "; run the agent as root or with --datapath none");
            }
            log.warn("No overlay datapath: {}. Overlays are recorded and reported, not programmed.", missing);
            return new Datapaths("none", config.netns(), null);
        }
        return new Datapaths("kernel", config.netns(), new KernelDatapath(config.underlayDevice(), config.netns()));
    }

    /** Why this process cannot program overlays, or null when it can. */
    static String missingPrivilege() {
        if (!isRoot()) {
            return "root (CAP_NET_ADMIN)";
        }
        if (!Files.isWritable(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun";
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective uid
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("cannot read /proc/self/status: {}", e.toString());
        }
        return false;
    }

    /** What the agent reports as its datapath: kernel, userspace or none. */
    String mode() {
        return mode;
    }

    boolean programs() {
        return datapath != null;
    }

    String netns() {
        return netns;
    }

    void apply(OverlayPlan plan) {
        if (datapath != null) {
            datapath.apply(plan);
        }
    }

    void remove(int vni) {
        if (datapath != null) {
            datapath.remove(vni);
        }
    }

    Set<Integer> installed() {
        return datapath == null ? Set.of() : new HashSet<>(datapath.installed());
    }

    String kindOf(int vni) {
        return mode;
    }

    /** The device holding the overlay address (where probes leave and captures listen). */
    String device(int vni) {
        return DeviceNames.bridge(vni);
    }

    @Override
    public void close() {
        if (datapath instanceof Closeable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing the datapath: {}", e.toString());
            }
        }
    }
}
