package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
        if (!present.contains(DeviceNames.bridge(plan.vni()))) {
            devices.addBridge(DeviceNames.bridge(plan.vni()));
            created.add(DeviceNames.bridge(plan.vni()));
        }
        if (present.contains(DeviceNames.vxlan(plan.vni()))
                && !devices.vxlanMatches(DeviceNames.vxlan(plan.vni()), plan.vni(), plan.localVtep(), underlayDevice)) {
            devices.deleteLink(DeviceNames.vxlan(plan.vni())); // made for another underlay: the kernel cannot change it in place
            present.remove(DeviceNames.vxlan(plan.vni()));
        }
        if (!present.contains(DeviceNames.vxlan(plan.vni()))) {
            devices.addVxlan(DeviceNames.vxlan(plan.vni()), plan.vni(), plan.localVtep(), underlayDevice);
            created.add(DeviceNames.vxlan(plan.vni()));
        }
        if (!present.contains(DeviceNames.tap(plan.vni()))) {
            devices.addTap(DeviceNames.tap(plan.vni()));
            created.add(DeviceNames.tap(plan.vni()));
        }
        for (String port : List.of(DeviceNames.vxlan(plan.vni()), DeviceNames.tap(plan.vni()))) {
            devices.setMtu(port, plan.mtu());
            devices.setMaster(port, DeviceNames.bridge(plan.vni()));
            devices.setUp(port);
        }
        // The bridge carries the member's address, so peers' neighbour entries for it hold this MAC.
        devices.setMac(DeviceNames.bridge(plan.vni()), plan.mac());
        devices.setMtu(DeviceNames.bridge(plan.vni()), plan.mtu());
        devices.setUp(DeviceNames.bridge(plan.vni()));
    }

    private void ensureAddress(OverlayPlan plan) {
        OverlayInterface.ensureAddress(devices, DeviceNames.bridge(plan.vni()), plan);
    }

    private void ensureFdb(OverlayPlan plan) {
        Set<OverlayPlan.FdbEntry> present = devices.remoteFdb(DeviceNames.vxlan(plan.vni()));
        Set<OverlayPlan.FdbEntry> wanted = new HashSet<>(plan.unicastFdb());
        wanted.addAll(plan.floodFdb());
        for (OverlayPlan.FdbEntry stale : present) {
            if (!wanted.contains(stale)) {
                devices.deleteFdb(DeviceNames.vxlan(plan.vni()), stale);
            }
        }
        for (OverlayPlan.FdbEntry e : plan.unicastFdb()) {
            if (!present.contains(e)) {
                devices.replaceFdb(DeviceNames.vxlan(plan.vni()), e);
            }
        }
        for (OverlayPlan.FdbEntry e : plan.floodFdb()) {
            if (!present.contains(e)) {
                devices.appendFdb(DeviceNames.vxlan(plan.vni()), e);
            }
        }
    }

    private void ensureNeighbours(OverlayPlan plan) {
        OverlayInterface.ensureNeighbours(devices, DeviceNames.bridge(plan.vni()), plan);
    }
}
