package io.civitas.controller.southbound;

import io.civitas.controller.system.ApiException;
import io.civitas.overlay.openflow.GatewayInput;
import org.projectfloodlight.openflow.types.DatapathId;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

/**
 * A bridge as an overlay gateway: {@code PUT .../gateway} declares its tunnel address and VXLAN port;
 * {@code POST .../attachments} puts a VM's port on an overlay (allocating the VM's overlay address and MAC, as
 * Neutron allocates a port); {@code GET .../gateway} shows the gateway program's input as computed now.
 */
@RestController
@RequestMapping("/api/v1/switches/{dpid}")
class GatewayController {

    record AttachRequest(Integer port, String overlay, String name) {}

    private final GatewayStore store;
    private final GatewayPrograms programs;

    GatewayController(GatewayStore store, GatewayPrograms programs) {
        this.store = store;
        this.programs = programs;
    }

    @PutMapping("/gateway")
    GatewayStore.Gateway putGateway(@PathVariable String dpid, @RequestBody GatewayStore.Gateway gateway) {
        DatapathId id = SwitchController.parse(dpid);
        store.putGateway(id, gateway);
        programs.refreshLater(id);
        return gateway;
    }

    @GetMapping("/gateway")
    GatewayInput gateway(@PathVariable String dpid) {
        DatapathId id = SwitchController.parse(dpid);
        return programs.input(id).orElseThrow(() -> ApiException.notFound(
                "switch " + GatewayStore.name(id) + " is not a gateway (PUT its gateway first)"));
    }

    @PostMapping("/attachments")
    ResponseEntity<GatewayStore.Attachment> attach(@PathVariable String dpid, @RequestBody AttachRequest request) {
        DatapathId id = SwitchController.parse(dpid);
        if (store.gateway(id).isEmpty()) {
            throw ApiException.conflict("switch " + GatewayStore.name(id)
                    + " is not a gateway: PUT /api/v1/switches/" + GatewayStore.name(id) + "/gateway first");
        }
        GatewayStore.Attachment a = store.attach(id, request.name(), request.port(), request.overlay());
        programs.refreshLater(id);
        return ResponseEntity.created(URI.create("/api/v1/switches/" + a.dpid() + "/attachments/" + a.name()))
                .body(a);
    }

    @GetMapping("/attachments")
    List<GatewayStore.Attachment> attachments(@PathVariable String dpid) {
        return store.attachments(SwitchController.parse(dpid));
    }

    @DeleteMapping("/attachments/{name}")
    ResponseEntity<Void> detach(@PathVariable String dpid, @PathVariable String name) {
        DatapathId id = SwitchController.parse(dpid);
        GatewayStore.Attachment a = store.detach(name).orElseThrow(() ->
                ApiException.notFound("no VM " + name + " is attached"));
        programs.refreshLater(DatapathId.of(Long.parseUnsignedLong(a.dpid(), 16)));
        return ResponseEntity.noContent().build();
    }
}
