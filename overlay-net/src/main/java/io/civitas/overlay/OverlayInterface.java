package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The device that holds a node's overlay address (the kernel datapath's bridge, the userspace datapath's TAP):
 * makes its IPv4 address and permanent neighbour entries equal to the plan's, writing only what differs.
 */
final class OverlayInterface {

    private OverlayInterface() {}

    static void ensureAddress(KernelDevices devices, String device, OverlayPlan plan) {
        String wanted = plan.address() + "/" + plan.prefixLength();
        Set<String> present = devices.addresses(device);
        if (!present.contains(wanted)) {
            devices.replaceAddress(device, wanted);
        }
        for (String other : present) {
            if (!other.equals(wanted)) {
                devices.deleteAddress(device, other);
            }
        }
    }

    static void ensureNeighbours(KernelDevices devices, String device, OverlayPlan plan) {
        Map<String, String> present = devices.permanentNeighbours(device);
        Set<String> wanted = new HashSet<>();
        for (OverlayPlan.Neighbour n : plan.neighbours()) {
            wanted.add(n.address());
            if (!n.mac().equals(present.get(n.address()))) {
                devices.replaceNeighbour(device, n);
            }
        }
        for (String stale : present.keySet()) {
            if (!wanted.contains(stale)) {
                devices.deleteNeighbour(device, stale);
            }
        }
    }
}
