package io.civitas.controller.southbound;

import org.projectfloodlight.openflow.types.DatapathId;

import java.util.Optional;

/**
 * Where an overlay member that is a VM on a gateway bridge ({@code vm-<name>}, see {@code POST
 * /api/v1/switches/{dpid}/attachments}) is reached: its gateway's tunnel address. For whoever plans the boards'
 * overlays: a {@code vm-} member has no {@code /nodes/<id>/underlay}; its VTEP is this.
 */
public final class VmVteps {

    private final GatewayStore store;

    VmVteps(GatewayStore store) {
        this.store = store;
    }

    /** The VTEP of member {@code memberId}, or empty if it is not an attached VM (or its bridge is no gateway). */
    public Optional<String> vtep(String memberId) {
        if (memberId == null || !memberId.startsWith("vm-")) {
            return Optional.empty();
        }
        return store.attachment(memberId.substring(3))
                .flatMap(a -> store.gateway(DatapathId.of(Long.parseUnsignedLong(a.dpid(), 16))))
                .map(GatewayStore.Gateway::tunnelAddress);
    }
}
