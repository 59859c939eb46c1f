package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the kernel's links, addresses, FDB and neighbour entries through iproute2. One call per
 * command, no policy: {@link KernelDatapath} decides what to call. Writes use "replace" where iproute2 has it.
 */
final class KernelDevices {

    static final int VXLAN_PORT = 4789;
    private final Shell shell;

    KernelDevices(Shell shell) {
        this.shell = shell;
    }

    /** Names of all links; "name@peer" is cut to "name". */
    Set<String> links() {
        Set<String> names = new LinkedHashSet<>();
        for (String line : shell.check("ip", "-o", "link", "show").split("\n")) {
            String[] fields = line.split(":\\s+", 3);
            if (fields.length >= 2) {
                String name = fields[1];
                int at = name.indexOf('@');
                names.add(at < 0 ? name : name.substring(0, at));
            }
        }
        return names;
    }

    void addBridge(String name) {
        shell.check("ip", "link", "add", name, "type", "bridge");
    }

    /** A unicast VXLAN device: no learning (the plan's static entries forward), IANA port. */
    void addVxlan(String name, int vni, String local, String underlayDevice) {
        if (underlayDevice == null) {
            shell.check("ip", "link", "add", name, "type", "vxlan", "id", String.valueOf(vni),
                    "dstport", String.valueOf(VXLAN_PORT), "nolearning", "local", local);
        } else {
            shell.check("ip", "link", "add", name, "type", "vxlan", "id", String.valueOf(vni),
                    "dstport", String.valueOf(VXLAN_PORT), "nolearning", "local", local, "dev", underlayDevice);
        }
    }

    /** Whether the existing vxlan device was made with these parameters (else it must be made again). */
    boolean vxlanMatches(String name, int vni, String local, String underlayDevice) {
        String details = shell.check("ip", "-d", "-o", "link", "show", "dev", name) + " ";
        return details.contains("vxlan id " + vni + " ") && details.contains(" local " + local + " ")
                && details.contains("dstport " + VXLAN_PORT + " ") && details.contains(" nolearning ")
                && (underlayDevice == null || details.contains(" dev " + underlayDevice + " "));
    }

    void addTap(String name) {
        shell.check("ip", "tuntap", "add", "dev", name, "mode", "tap");
    }

    void deleteLink(String name) {
        shell.check("ip", "link", "del", "dev", name);
    }

    /** Best effort, for rollback: the error that caused the rollback is the one worth reporting. */
    void deleteLinkQuietly(String name) {
        shell.run("ip", "link", "del", "dev", name);
    }

    void setMac(String name, String mac) {
        shell.check("ip", "link", "set", "dev", name, "address", mac);
    }

    void setMtu(String name, int mtu) {
        shell.check("ip", "link", "set", "dev", name, "mtu", String.valueOf(mtu));
    }

    void setMaster(String name, String master) {
        shell.check("ip", "link", "set", "dev", name, "master", master);
    }

    void setUp(String name) {
        shell.check("ip", "link", "set", "dev", name, "up");
    }

    /** IPv4 addresses of a device as "a.b.c.d/p". */
    Set<String> addresses(String device) {
        Set<String> found = new HashSet<>();
        for (String line : shell.check("ip", "-o", "-4", "addr", "show", "dev", device).split("\n")) {
            List<String> t = List.of(line.trim().split("\\s+"));
            int i = t.indexOf("inet");
            if (i >= 0 && i + 1 < t.size()) {
                found.add(t.get(i + 1));
            }
        }
        return found;
    }

    void replaceAddress(String device, String cidr) {
        shell.check("ip", "addr", "replace", cidr, "dev", device);
    }

    void deleteAddress(String device, String cidr) {
        shell.check("ip", "addr", "del", cidr, "dev", device);
    }

    /** The device's own FDB entries that point at a remote VTEP ("MAC dst IP self ..."). */
    Set<OverlayPlan.FdbEntry> remoteFdb(String vxlanDevice) {
        Set<OverlayPlan.FdbEntry> found = new HashSet<>();
        for (String line : shell.check("bridge", "fdb", "show", "dev", vxlanDevice).split("\n")) {
            List<String> t = List.of(line.trim().split("\\s+"));
            int i = t.indexOf("dst");
            if (i > 0 && i + 1 < t.size()) {
                // The kernel shows "port P" only where it differs from the device's own dstport (4789).
                int p = t.indexOf("port");
                int port = p > 0 && p + 1 < t.size() ? Integer.parseInt(t.get(p + 1)) : OverlayPlan.VXLAN_PORT;
                found.add(new OverlayPlan.FdbEntry(t.get(0), t.get(i + 1), port));
            }
        }
        return found;
    }

    void replaceFdb(String vxlanDevice, OverlayPlan.FdbEntry e) {
        shell.check("bridge", "fdb", "replace", e.mac(), "dev", vxlanDevice, "dst", e.vtep(),
                "port", Integer.toString(e.port()), "self", "permanent");
    }

    /** "append", because the all-zero MAC holds one entry per VTEP and "replace" would keep only the last. */
    void appendFdb(String vxlanDevice, OverlayPlan.FdbEntry e) {
        shell.check("bridge", "fdb", "append", e.mac(), "dev", vxlanDevice, "dst", e.vtep(),
                "port", Integer.toString(e.port()), "self", "permanent");
    }

    void deleteFdb(String vxlanDevice, OverlayPlan.FdbEntry e) {
        shell.check("bridge", "fdb", "del", e.mac(), "dev", vxlanDevice, "dst", e.vtep(),
                "port", Integer.toString(e.port()), "self");
    }

    /** Permanent neighbour entries of a device, address -> MAC. */
    Map<String, String> permanentNeighbours(String device) {
        Map<String, String> found = new HashMap<>();
        for (String line : shell.check("ip", "-4", "neigh", "show", "dev", device).split("\n")) {
            List<String> t = List.of(line.trim().split("\\s+"));
            int i = t.indexOf("lladdr");
            if (i > 0 && i + 1 < t.size() && t.get(t.size() - 1).equals("PERMANENT")) {
                found.put(t.get(0), t.get(i + 1));
            }
        }
        return found;
    }

    void replaceNeighbour(String device, OverlayPlan.Neighbour n) {
        shell.check("ip", "neigh", "replace", n.address(), "lladdr", n.mac(), "dev", device, "nud", "permanent");
    }

    void deleteNeighbour(String device, String address) {
        shell.check("ip", "neigh", "del", address, "dev", device);
    }
}
