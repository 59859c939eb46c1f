package io.civitas.overlay;

/**
 * Where a node's VXLAN endpoint is on the underlay: the address and UDP port it sends from, the MTU of that
 * underlay, and whether it is behind NAT (the address its controller sees, {@code publicAddress}, differs from
 * its own). A node behind NAT is reached through the relay only.
 */
public record Underlay(String address, int port, int mtu, boolean behindNat, String publicAddress) {

    /** A node reachable at its own address on the standard VXLAN port. */
    public static Underlay direct(String address, int mtu) {
        return new Underlay(address, io.civitas.protocol.OverlayPlan.VXLAN_PORT, mtu, false, null);
    }

    public Underlay {
        port = port == 0 ? io.civitas.protocol.OverlayPlan.VXLAN_PORT : port;
        mtu = mtu == 0 ? 1500 : mtu;
    }
}
