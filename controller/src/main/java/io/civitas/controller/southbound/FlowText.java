package io.civitas.controller.southbound;

import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionGroup;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionGotoTable;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteActions;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.U64;

import java.util.ArrayList;
import java.util.List;

/** A flow as the REST API shows it: close to ovs-ofctl's notation, one string for match and one for actions. */
record FlowText(String cookie, int table, int priority, String match, String actions, Long packets, Long bytes) {

    static FlowText of(OFFlowMod f) {
        return new FlowText(hex(f.getCookie()), f.getTableId().getValue(), f.getPriority(), match(f.getMatch()),
                instructions(f.getInstructions()), null, null);
    }

    static FlowText of(OFFlowStatsEntry e) {
        return new FlowText(hex(e.getCookie()), e.getTableId().getValue(), e.getPriority(), match(e.getMatch()),
                instructions(e.getInstructions()), e.getPacketCount().getValue(), e.getByteCount().getValue());
    }

    private static String hex(U64 cookie) {
        return "0x" + Long.toHexString(cookie.getValue());
    }

    static String match(Match match) {
        List<String> parts = new ArrayList<>();
        for (MatchField<?> field : match.getMatchFields()) {
            Object value = match.isPartiallyMasked(field) ? match.getMasked(field) : match.get(field);
            parts.add(field.getName() + "=" + value(value));
        }
        return String.join(",", parts);
    }

    static String instructions(List<OFInstruction> instructions) {
        List<String> parts = new ArrayList<>();
        for (OFInstruction i : instructions) {
            if (i instanceof OFInstructionApplyActions apply) {
                apply.getActions().forEach(a -> parts.add(action(a)));
            } else if (i instanceof OFInstructionWriteActions write) {
                parts.add("write_actions(" + String.join(",", write.getActions().stream().map(FlowText::action)
                        .toList()) + ")");
            } else if (i instanceof OFInstructionGotoTable gotoTable) {
                parts.add("goto_table:" + gotoTable.getTableId().getValue());
            } else {
                parts.add(i.getType().toString().toLowerCase());
            }
        }
        return parts.isEmpty() ? "drop" : String.join(",", parts);
    }

    /** U64 values (tunnel ids, metadata) as short hex, like ovs-ofctl; the rest as openflowj prints them. */
    private static String value(Object v) {
        return v instanceof U64 u ? "0x" + Long.toHexString(u.getValue()) : String.valueOf(v);
    }

    private static String action(OFAction a) {
        if (a instanceof OFActionOutput out) {
            return "output:" + out.getPort();
        }
        if (a instanceof OFActionSetField set) {
            return "set_field:" + value(set.getField().getValue()) + "->" + set.getField().getMatchField().getName();
        }
        if (a instanceof OFActionGroup group) {
            return "group:" + group.getGroup().getGroupNumber();
        }
        return a.getType().toString().toLowerCase();
    }
}
