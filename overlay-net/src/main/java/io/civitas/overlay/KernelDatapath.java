package io.civitas.overlay;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Linux kernel datapath: per overlay a bridge {@code cv-br-VNI} holding the node's overlay address and MAC,
 * a VXLAN device {@code cv-vx-VNI} (nolearning, UDP 4789, static FDB entries per peer, all-zero entries for
 * broadcast) and a TAP device {@code cv-tap-VNI} where local workloads or VMs attach; neighbour entries for the
 * peers sit on the bridge. Programmed with iproute2, so it needs root (CAP_NET_ADMIN) and the ip/bridge tools.
 *
 * <p>{@link #apply} reads what exists: it creates only missing devices and writes only missing or different
 * addresses, FDB and neighbour entries (removing stale ones), and re-sets link MTU, master and state, which the
 * kernel ignores when they are already so. A second apply of the same plan therefore changes nothing. If it fails, the devices it created are deleted; entries it changed on devices that existed before stay
 * (they are the plan's entries, which the next apply writes anyway). Not thread-safe: one apply loop per node.
 */
public final class KernelDatapath implements Datapath {

    private final KernelDevices devices;
    private final String underlayDevice;

    /**
     * @param underlayDevice the device VXLAN packets leave by (e.g. eth0), or null to let routing choose
     */
    public KernelDatapath(String underlayDevice) {
        this(underlayDevice, null);
    }

    /**
     * @param netns a network namespace to program ({@code ip netns exec NS ...}), or null for this one
     */
    public KernelDatapath(String underlayDevice, String netns) {
        this.underlayDevice = underlayDevice;
        this.devices = new KernelDevices(new Shell(netns));
    }

    @Override
    public void apply(OverlayPlan plan) {
        List<String> created = new ArrayList<>();
        try {
            ensureDevices(plan, created);
            ensureAddress(plan);
            ensureFdb(plan);
            ensureNeighbours(plan);
        } catch (RuntimeException e) {
            for (int i = created.size() - 1; i >= 0; i--) {
                devices.deleteLinkQuietly(created.get(i));
            }
            throw new DatapathException("apply of overlay " + plan.overlay() + " (vni " + plan.vni() + ") failed"
                    + (created.isEmpty() ? "" : "; rolled back by deleting " + created) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(int vni) {
        Set<String> present = devices.links();
        // Ports first, then the bridge; the kernel drops their FDB and neighbour entries with them.
        for (String name : List.of(DeviceNames.tap(vni), DeviceNames.vxlan(vni), DeviceNames.bridge(vni))) {
            if (present.contains(name)) {
                devices.deleteLink(name);
            }
        }
    }

    @Override
    public Set<Integer> installed() {
        Set<Integer> vnis = new TreeSet<>();
        for (String name : devices.links()) {
            DeviceNames.vniOf(name).ifPresent(vnis::add);
        }
        return vnis;
    }

    private void ensureDevices(OverlayPlan plan, List<String> created) {
        Set<String> present = devices.links();
        if (!present.contains(plan.bridge())) {
            devices.addBridge(plan.bridge());
            created.add(plan.bridge());
        }
        if (present.contains(plan.vxlan())
                && !devices.vxlanMatches(plan.vxlan(), plan.vni(), plan.localVtep(), underlayDevice)) {
            devices.deleteLink(plan.vxlan()); // made for another underlay: the kernel cannot change it in place
            present.remove(plan.vxlan());
        }
        if (!present.contains(plan.vxlan())) {
            devices.addVxlan(plan.vxlan(), plan.vni(), plan.localVtep(), underlayDevice);
            created.add(plan.vxlan());
        }
        if (!present.contains(plan.tap())) {
            devices.addTap(plan.tap());
            created.add(plan.tap());
        }
        for (String port : List.of(plan.vxlan(), plan.tap())) {
            devices.setMtu(port, plan.mtu());
            devices.setMaster(port, plan.bridge());
            devices.setUp(port);
        }
        // The bridge carries the member's address, so peers' neighbour entries for it hold this MAC.
        devices.setMac(plan.bridge(), plan.mac());
        devices.setMtu(plan.bridge(), plan.mtu());
        devices.setUp(plan.bridge());
    }

    private void ensureAddress(OverlayPlan plan) {
        String wanted = plan.address() + "/" + plan.prefixLength();
        Set<String> present = devices.addresses(plan.bridge());
        if (!present.contains(wanted)) {
            devices.replaceAddress(plan.bridge(), wanted);
        }
        for (String other : present) {
            if (!other.equals(wanted)) {
                devices.deleteAddress(plan.bridge(), other);
            }
        }
    }

    private void ensureFdb(OverlayPlan plan) {
        Set<OverlayPlan.FdbEntry> present = devices.remoteFdb(plan.vxlan());
        Set<OverlayPlan.FdbEntry> wanted = new HashSet<>(plan.unicastFdb());
        wanted.addAll(plan.floodFdb());
        for (OverlayPlan.FdbEntry stale : present) {
            if (!wanted.contains(stale)) {
                devices.deleteFdb(plan.vxlan(), stale);
            }
        }
        for (OverlayPlan.FdbEntry e : plan.unicastFdb()) {
            if (!present.contains(e)) {
                devices.replaceFdb(plan.vxlan(), e);
            }
        }
        for (OverlayPlan.FdbEntry e : plan.floodFdb()) {
            if (!present.contains(e)) {
                devices.appendFdb(plan.vxlan(), e);
            }
        }
    }

    private void ensureNeighbours(OverlayPlan plan) {
        Map<String, String> present = devices.permanentNeighbours(plan.bridge());
        Set<String> wanted = new HashSet<>();
        for (OverlayPlan.Neighbour n : plan.neighbours()) {
            wanted.add(n.address());
            if (!n.mac().equals(present.get(n.address()))) {
                devices.replaceNeighbour(plan.bridge(), n);
            }
        }
        for (String stale : present.keySet()) {
            if (!wanted.contains(stale)) {
                devices.deleteNeighbour(plan.bridge(), stale);
            }
        }
    }
}
