package io.civitas.overlay.openflow;

import java.util.List;
import java.util.Objects;

/**
 * What the gateway program needs to know about one OVS gateway bridge: its flow-based VXLAN port
 * ({@code type=vxlan options:remote_ip=flow options:key=flow}), its tunnel address, and per overlay the VM
 * ports on this bridge and the overlay's members elsewhere (boards, other hosts) with their VTEPs.
 * Plain values, so it can be built from ZooKeeper's overlay members by whoever owns them.
 *
 * @param tunnelAddress the bridge's local tunnel (VTEP) address: remote members send this overlay's frames there
 * @param vxlanPort     the OpenFlow port number of the flow-based VXLAN port
 * @param overlays      one entry per overlay with at least one VM on this bridge
 */
public record GatewayInput(String tunnelAddress, int vxlanPort, List<OverlayOnGateway> overlays) {

    public GatewayInput {
        Objects.requireNonNull(tunnelAddress, "tunnelAddress");
        overlays = List.copyOf(overlays);
    }

    /** @param vni the overlay's VXLAN network identifier, used as the OpenFlow tunnel_id */
    public record OverlayOnGateway(String name, long vni, List<VmPort> vms, List<RemoteMember> remotes) {
        public OverlayOnGateway {
            vms = List.copyOf(vms);
            remotes = List.copyOf(remotes);
        }
    }

    /** A VM's port on the bridge, with the MAC and overlay address the overlay allocated to it. */
    public record VmPort(String name, int port, String mac, String address) {}

    /** A member of the overlay elsewhere: reached by tunnelling to {@code vtep}. */
    public record RemoteMember(String id, String vtep, String mac, String address) {}
}
