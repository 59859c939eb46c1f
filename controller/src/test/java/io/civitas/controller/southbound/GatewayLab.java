package io.civitas.controller.southbound;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A gateway test topology on real OVS (FACTS.md's recipe): {@code br-phy} (userspace bridge holding the tunnel
 * address, 10.254.N.1, and a veth to a board namespace at 10.254.N.2), a board namespace with a kernel VXLAN
 * device, a gateway bridge with a flow-based VXLAN port (OpenFlow port 10), VM namespaces on veths of the
 * gateway. Namespaces are {@code cvof-...}, random; everything is deleted by {@link #close()} (bridges by
 * {@link Ovs#close()}). TX checksum offload is off on every namespace's veth (FACTS.md's pitfall).
 */
final class GatewayLab implements AutoCloseable {

    static final int VXLAN_PORT = 10;
    private final Ovs ovs;
    private final String id = Long.toHexString(ThreadLocalRandom.current().nextLong(0x10000L, 0xfffffL));
    private final String underlayNet = "10.254." + ThreadLocalRandom.current().nextInt(16, 250) + ".";
    final String tunnel = underlayNet + "1";
    final String boardVtep = underlayNet + "2";
    private final List<String> namespaces = new ArrayList<>();
    private boolean routed;

    GatewayLab(Ovs ovs) {
        this.ovs = ovs;
    }

    /** The board namespace: one overlay on a kernel VXLAN device whose unknown destinations go to the gateway. */
    String board(int vni, String address, String mac, int prefix) {
        String ns = ns("cvof-b-" + id);
        String phy = ovs.bridge(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        ovs.check("ovs-vsctl", "set", "bridge", phy, "fail_mode=standalone");
        veth(phy, "cvofu-" + id, ns, "u0", 1);
        ovs.check("ip", "-n", ns, "addr", "add", boardVtep + "/24", "dev", "u0");
        ovs.check("ip", "addr", "add", tunnel + "/24", "dev", phy);
        ovs.check("ip", "link", "set", phy, "up");
        ovs.check("ovs-appctl", "ovs/route/add", underlayNet + "0/24", phy);
        routed = true;
        ovs.check("ip", "-n", ns, "link", "add", "vx0", "type", "vxlan", "id", "" + vni, "dstport", "4789",
                "local", boardVtep, "dev", "u0", "nolearning");
        ovs.check("ip", "-n", ns, "link", "set", "vx0", "address", mac, "mtu", "1450", "up");
        ovs.check("ip", "-n", ns, "addr", "add", address + "/" + prefix, "dev", "vx0");
        ovs.check("bridge", "-n", ns, "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", tunnel);
        return ns;
    }

    /** The gateway bridge, connected to the controller, with its flow-based VXLAN port. */
    String gateway(long dpid, int controllerPort) {
        String gw = ovs.bridge(dpid, controllerPort);
        ovs.check("ovs-vsctl", "add-port", gw, "cvofx-" + id, "--", "set", "interface", "cvofx-" + id,
                "type=vxlan", "options:remote_ip=flow", "options:key=flow", "options:local_ip=" + tunnel,
                "ofport_request=" + VXLAN_PORT);
        return gw;
    }

    /** A VM namespace on OpenFlow port {@code port} of {@code gateway}, with its overlay address and MAC. */
    String vm(String gateway, int port, String address, String mac, int prefix) {
        String ns = ns("cvof-v" + port + "-" + id);
        veth(gateway, "cvof" + port + "-" + id, ns, "eth0", port);
        ovs.check("ip", "-n", ns, "link", "set", "eth0", "address", mac, "mtu", "1450");
        ovs.check("ip", "-n", ns, "addr", "add", address + "/" + prefix, "dev", "eth0");
        return ns;
    }

    Ovs.Result ping(String ns, String address) {
        return Ovs.run(15, "ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", address);
    }

    private String ns(String name) {
        ovs.check("ip", "netns", "add", name);
        namespaces.add(name);
        ovs.check("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    private void veth(String bridge, String hostName, String ns, String device, int ofport) {
        ovs.check("ip", "link", "add", hostName, "type", "veth", "peer", "name", device, "netns", ns);
        ovs.check("ip", "link", "set", hostName, "up");
        ovs.check("ip", "-n", ns, "link", "set", device, "up");
        ovs.check("ip", "netns", "exec", ns, "ethtool", "-K", device, "tx", "off");
        ovs.check("ovs-vsctl", "add-port", bridge, hostName, "--", "set", "interface", hostName,
                "ofport_request=" + ofport);
    }

    @Override
    public void close() {
        if (routed) {
            Ovs.run(10, "ovs-appctl", "ovs/route/del", underlayNet + "0/24");
        }
        for (String ns : namespaces) {
            Ovs.run(10, "ip", "netns", "del", ns);
        }
        ovs.close();
    }
}
