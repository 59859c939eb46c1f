package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A node's datapath when it may use both kinds: each overlay goes to the kernel datapath or the userspace one,
 * chosen per plan by {@link #choose}, and this object remembers which, so remove and a later apply reach the
 * same one (an overlay whose choice changes is removed from the old datapath first). Both run side by side.
 *
 * <p>After an agent restart the memory is empty: kernel devices survive it, userspace ones do not. So an overlay
 * applied to userspace whose kernel devices are still present (it was on the kernel datapath before) has them
 * removed first, and {@link #remove} of an unknown VNI removes whatever kernel devices it finds.
 *
 * <p>Caveat: a kernel vxlan device that is up holds UDP 4789 for every address of the node, so userspace overlays
 * next to kernel ones need plans with another {@code localPort} (a plan not on 4789 always goes to userspace).
 */
public final class DatapathChoice implements Datapath, AutoCloseable {

    public enum Kind { KERNEL, USERSPACE }

    /** What the node's configuration asks for: decide per plan (AUTO) or always one kind. */
    public enum Mode { AUTO, KERNEL, USERSPACE }

    /** The kind chosen for a plan and why, for status reports. */
    public record Choice(Kind kind, String reason) {}

    /** What a node reports: the configured mode, the kernel probe, each installed overlay's kind and the counters. */
    public record Status(Mode mode, boolean kernelVxlan, Map<Integer, Kind> overlays, UserspaceDatapath.Counters userspace) {}

    private final Mode mode;
    private final boolean kernelVxlan;
    private final KernelDatapath kernel;
    private final UserspaceDatapath userspace;
    private final Map<Integer, Kind> chosen = new HashMap<>();

    /**
     * Probes the kernel once ({@link #kernelHasVxlan}) and makes both datapaths.
     *
     * @param underlayDevice the kernel datapath's underlay device, or null to let routing choose
     * @param netns the network namespace to work in, or null for this process's
     */
    public static DatapathChoice create(Mode mode, String underlayDevice, String netns) {
        boolean vxlan = mode != Mode.USERSPACE && kernelHasVxlan(netns);
        return new DatapathChoice(mode, vxlan, new KernelDatapath(underlayDevice, netns),
                new UserspaceDatapath(netns, UserspaceDatapath.DEFAULT_KEEPALIVE));
    }

    public DatapathChoice(Mode mode, boolean kernelVxlan, KernelDatapath kernel, UserspaceDatapath userspace) {
        this.mode = mode;
        this.kernelVxlan = kernelVxlan;
        this.kernel = kernel;
        this.userspace = userspace;
    }

    /**
     * Userspace when configured, when the node is behind NAT (one socket must send and receive, so the NAT
     * mapping the keepalives open is the one replies come through), when the plan's VTEP port is not the kernel
     * device's 4789, or when the kernel cannot make vxlan devices; else the kernel (faster: no copies to user space).
     */
    public static Choice choose(OverlayPlan plan, Mode mode, boolean kernelVxlan) {
        if (mode == Mode.USERSPACE) {
            return new Choice(Kind.USERSPACE, "configured");
        }
        if (plan.behindNat()) {
            return new Choice(Kind.USERSPACE, "behind NAT: reached through relay " + plan.relay().address() + ":"
                    + plan.relay().port());
        }
        if (plan.localPort() != OverlayPlan.VXLAN_PORT) {
            return new Choice(Kind.USERSPACE, "VTEP port " + plan.localPort() + " is not the kernel device's "
                    + OverlayPlan.VXLAN_PORT);
        }
        if (mode == Mode.KERNEL) {
            return new Choice(Kind.KERNEL, "configured");
        }
        return kernelVxlan ? new Choice(Kind.KERNEL, "kernel has vxlan")
                : new Choice(Kind.USERSPACE, "kernel has no vxlan");
    }

    /**
     * Whether the kernel can make a vxlan device here: adds one with a random name (not up, so it opens no
     * socket) and deletes it. False when the module is missing, or when we may not (not root): either way the
     * kernel datapath would not work.
     */
    public static boolean kernelHasVxlan(String netns) {
        Shell shell = new Shell(netns);
        String name = "cvprobe" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
        if (shell.run("ip", "link", "add", name, "type", "vxlan", "id", "1", "dstport", "0").exit() != 0) {
            return false;
        }
        shell.run("ip", "link", "del", "dev", name);
        return true;
    }

    @Override
    public synchronized void apply(OverlayPlan plan) {
        Kind kind = choose(plan, mode, kernelVxlan).kind();
        Kind before = chosen.get(plan.vni());
        if (before != null && before != kind) {
            datapath(before).remove(plan.vni());
            chosen.remove(plan.vni());
        } else if (before == null && kind == Kind.USERSPACE && kernel.installed().contains(plan.vni())) {
            kernel.remove(plan.vni()); // left by the kernel datapath before a restart
        }
        datapath(kind).apply(plan);
        chosen.put(plan.vni(), kind);
    }

    @Override
    public synchronized void remove(int vni) {
        Kind kind = chosen.remove(vni);
        if (kind == Kind.USERSPACE) {
            userspace.remove(vni);
        } else {
            kernel.remove(vni); // known kernel overlay, or unknown: whatever survived a restart
        }
    }

    /** The overlays with devices on this node, of either kind. */
    @Override
    public synchronized Set<Integer> installed() {
        Set<Integer> all = new TreeSet<>(kernel.installed());
        all.addAll(userspace.installed());
        return all;
    }

    /** The kind an overlay was applied with by this object, or null. */
    public synchronized Kind kindOf(int vni) {
        return chosen.get(vni);
    }

    public synchronized Status status() {
        return new Status(mode, kernelVxlan, Map.copyOf(chosen), userspace.counters());
    }

    /** Closes the userspace datapath (its devices vanish); kernel devices stay, as after any agent exit. */
    @Override
    public void close() {
        userspace.close();
    }

    private Datapath datapath(Kind kind) {
        return kind == Kind.KERNEL ? kernel : userspace;
    }
}
