package io.civitas.agent;

import io.civitas.overlay.DatapathChoice;
import io.civitas.overlay.DeviceNames;
import io.civitas.protocol.OverlayPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The datapath the agent's overlays run on, from {@link OverlayConfig}: overlay-net's {@link DatapathChoice}
 * (kernel VXLAN, or userspace VXLAN over a TAP where configured, where the kernel lacks vxlan, or behind NAT),
 * or {@code none} when the agent may not program the network (not root, no /dev/net/tun) or was told not to:
 * then plans are only recorded.
 */
class Datapaths implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Datapaths.class);

    private final String mode;
    private final String netns;
    private final DatapathChoice datapath;

    Datapaths(String mode, String netns, DatapathChoice datapath) {
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
        DatapathChoice choice = DatapathChoice.create(DatapathChoice.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)),
                config.underlayDevice(), config.netns());
        String kind = mode.equals("userspace") || !choice.status().kernelVxlan() ? "userspace" : "kernel";
        if (!mode.equals("userspace") && kind.equals("userspace")) {
            log.info("The kernel here has no vxlan support: overlays run in userspace");
        }
        return new Datapaths(kind, config.netns(), choice);
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

    /** What the agent reports as its datapath: kernel, userspace or none (overlays behind NAT are userspace). */
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
        DatapathChoice.Kind kind = datapath == null ? null : datapath.kindOf(vni);
        return kind == null ? mode : kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The device holding the overlay address (where probes leave and captures listen). */
    String device(int vni) {
        return datapath != null && datapath.kindOf(vni) == DatapathChoice.Kind.USERSPACE
                ? DeviceNames.tap(vni) : DeviceNames.bridge(vni);
    }

    @Override
    public void close() {
        if (datapath != null) {
            datapath.close(); // userspace overlays end with the process; kernel devices stay (fail-static)
        }
    }
}
