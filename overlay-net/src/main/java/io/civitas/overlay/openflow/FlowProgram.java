package io.civitas.overlay.openflow;

import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFGroupAdd;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole desired OpenFlow state of one switch: its flows and groups. Every flow carries a cookie that is a
 * digest of the flow ({@link FlowCookies}), so the controller can compare desired with actual by cookie alone.
 */
public record FlowProgram(List<OFFlowAdd> flows, List<OFGroupAdd> groups) {

    public static final FlowProgram EMPTY = new FlowProgram(List.of(), List.of());

    public FlowProgram {
        flows = List.copyOf(flows);
        groups = List.copyOf(groups);
        Set<Long> cookies = new HashSet<>();
        for (OFFlowAdd f : flows) {
            if (!cookies.add(f.getCookie().getValue())) {
                throw new IllegalArgumentException("two flows with cookie " + f.getCookie() + ": " + f);
            }
        }
    }
}
