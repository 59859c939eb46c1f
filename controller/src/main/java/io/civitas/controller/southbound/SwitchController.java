package io.civitas.controller.southbound;

import io.civitas.controller.system.ApiException;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortState;
import org.projectfloodlight.openflow.types.DatapathId;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code /api/v1/switches}: the OpenFlow switches connected to this controller, their ports and role, and
 * their flows, desired (what the reconciler converges to) and actual (read from the switch on request).
 */
@RestController
@RequestMapping("/api/v1/switches")
class SwitchController {

    record PortView(long number, String name, String mac, boolean up) {}

    record SwitchView(String dpid, String address, Instant connectedSince, Role role, long generationId,
                      String manufacturer, String hardware, String software, String serial, String description,
                      int tables, List<PortView> ports, int desiredFlows, List<String> recentErrors) {}

    record FlowsView(String dpid, Role role, List<FlowText> desired, List<FlowText> actual,
                     FlowReconciler.Report lastReconcile) {}

    private final Southbound southbound;

    SwitchController(Southbound southbound) {
        this.southbound = southbound;
    }

    @GetMapping
    List<SwitchView> list() {
        return southbound.switches().all().stream().sorted(Comparator.comparing(s -> s.dpid().getLong()))
                .map(this::view).toList();
    }

    @GetMapping("/{dpid}")
    SwitchView get(@PathVariable String dpid) {
        return view(find(dpid));
    }

    @GetMapping("/{dpid}/flows")
    FlowsView flows(@PathVariable String dpid) {
        OpenFlowSwitch sw = find(dpid);
        List<FlowText> actual;
        try {
            actual = sw.flows().get(10, TimeUnit.SECONDS).stream().map(FlowText::of).toList();
        } catch (Exception e) {
            throw ApiException.unavailable("switch " + name(sw.dpid()) + " did not list its flows: " + e);
        }
        return new FlowsView(name(sw.dpid()), sw.role(),
                southbound.desiredFlows().get(sw.dpid()).flows().stream().map(FlowText::of).toList(), actual,
                southbound.reconciler().lastReport(sw.dpid()).orElse(null));
    }

    private OpenFlowSwitch find(String dpid) {
        DatapathId id = parse(dpid);
        return southbound.switches().get(id).orElseThrow(() ->
                ApiException.notFound("no switch " + name(id) + " is connected to this controller"));
    }

    /** 16 hex digits, with or without colons (00:00:5e:00:53:01:00:01 or 00005e0053010001). */
    static DatapathId parse(String dpid) {
        String hex = dpid.replace(":", "");
        if (!hex.matches("[0-9a-fA-F]{1,16}")) {
            throw ApiException.invalid("dpid", "a datapath id is 16 hex digits, optionally colon-separated: " + dpid);
        }
        return DatapathId.of(Long.parseUnsignedLong(hex, 16));
    }

    static String name(DatapathId dpid) {
        return String.format("%016x", dpid.getLong());
    }

    private SwitchView view(OpenFlowSwitch sw) {
        var d = sw.description();
        List<PortView> ports = sw.ports().stream().map(SwitchController::port).toList();
        return new SwitchView(name(sw.dpid()), sw.remoteAddress(), sw.connectedAt(), sw.role(), sw.generationId(),
                d.getMfrDesc(), d.getHwDesc(), d.getSwDesc(), d.getSerialNum(), d.getDpDesc(),
                sw.features().getNTables(), ports, southbound.desiredFlows().get(sw.dpid()).flows().size(),
                sw.recentErrors());
    }

    private static PortView port(OFPortDesc p) {
        boolean up = !p.getConfig().contains(OFPortConfig.PORT_DOWN) && !p.getState().contains(OFPortState.LINK_DOWN);
        return new PortView(p.getPortNo().getPortNumber() & 0xffffffffL, p.getName(), p.getHwAddr().toString(), up);
    }
}
