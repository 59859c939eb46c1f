package io.civitas.protocol;

/**
 * Where a node's VXLAN endpoint is on the underlay, as its agent reports it in {@link AgentHello}: the address
 * and UDP port it sends from, the MTU of that underlay, and whether it is behind NAT (the address the controller
 * sees, {@code publicAddress}, differs from its own). A node behind NAT is reached through the relay only.
 *
 * @param datapath the datapath the agent uses for its overlays: "kernel", "userspace" or "none" (no privileges)
 */
public record Underlay(String address, int port, int mtu, boolean behindNat, String publicAddress, String datapath) {

    public Underlay {
        port = port == 0 ? OverlayPlan.VXLAN_PORT : port;
        mtu = mtu == 0 ? 1500 : mtu;
    }

    /** An underlay whose datapath is not said. */
    public Underlay(String address, int port, int mtu, boolean behindNat, String publicAddress) {
        this(address, port, mtu, behindNat, publicAddress, null);
    }

    /** A node reachable at its own address on the standard VXLAN port. */
    public static Underlay direct(String address, int mtu) {
        return new Underlay(address, OverlayPlan.VXLAN_PORT, mtu, false, null, "kernel");
    }
}
