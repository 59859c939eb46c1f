package io.civitas.agent;

import io.civitas.protocol.Bootstrap;
import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.util.Collections;

/** Where this node's VXLAN endpoint is, and whether it is behind NAT. */
final class Underlays {
    private Underlays() {}

    /**
     * The configured underlay address, else the address this host sends from towards the controller. Behind NAT
     * when the address the controller saw ({@link Bootstrap#yourAddress()}) is another one (a loopback address
     * means the same machine, not NAT). A node behind NAT runs its overlays in userspace: the kernel's VXLAN
     * sends from varying source ports, which a NAT maps to varying public ports the relay cannot answer to.
     */
    static Underlay of(OverlayConfig config, String datapath, URI controller, Bootstrap bootstrap) throws IOException {
        String address = config.underlayAddress() != null ? config.underlayAddress() : localAddressTowards(controller);
        String seen = bootstrap.yourAddress();
        boolean nat = switch (config.behindNat()) {
            case "true" -> true;
            case "false" -> false;
            default -> seen != null && !InetAddress.getByName(seen).isLoopbackAddress() && !seen.equals(address);
        };
        String mode = nat && datapath.equals("kernel") ? "userspace" : datapath;
        return new Underlay(address, OverlayPlan.VXLAN_PORT, mtuOf(address), nat, seen, mode);
    }

    /** The source address the routing table picks for the controller (a connected UDP socket sends nothing). */
    static String localAddressTowards(URI controller) throws IOException {
        InetAddress host = InetAddress.getByName(controller.getHost());
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(host, controller.getPort() > 0 ? controller.getPort() : 80);
            InetAddress local = socket.getLocalAddress();
            if (local != null && !local.isLoopbackAddress() && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        }
        // A controller on this machine: any address of this host that is up will do for the VTEP.
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    private static int mtuOf(String address) {
        try {
            NetworkInterface nic = NetworkInterface.getByInetAddress(InetAddress.getByName(address));
            return nic == null ? 1500 : nic.getMTU();
        } catch (SocketException | java.net.UnknownHostException e) {
            return 1500;
        }
    }
}
