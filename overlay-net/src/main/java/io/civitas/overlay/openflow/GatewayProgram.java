package io.civitas.overlay.openflow;

import io.civitas.overlay.openflow.GatewayInput.OverlayOnGateway;
import io.civitas.overlay.openflow.GatewayInput.RemoteMember;
import io.civitas.overlay.openflow.GatewayInput.VmPort;
import org.projectfloodlight.openflow.protocol.OFBucket;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFGroupAdd;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The OVS gateway's flows as a pure function of a {@link GatewayInput}: same input, same flows, same cookies.
 * Two tables, everything keyed on tunnel_id = VNI, so nothing crosses between overlays:
 * <pre>
 * table 0  300  in_port=VM, arp, arp_op=request, arp_tpa=KNOWN  -> ARP reply built in place, out IN_PORT
 *          200  in_port=VM, eth_src=VM's MAC                      -> tunnel_id:=VNI, goto 1   (a VM cannot spoof)
 *          200  in_port=VXLAN, tunnel_id=VNI                      -> goto 1
 *            0  *                                                 -> drop
 * table 1  100  tunnel_id=VNI, eth_dst=local VM's MAC             -> output VM
 *          100  tunnel_id=VNI, eth_dst=remote member's MAC        -> tun_dst:=VTEP, output VXLAN
 *           50  tunnel_id=VNI, eth_dst=multicast/broadcast        -> group VNI
 *            0  *                                                 -> drop
 * group VNI (ALL): one bucket per local VM, one per distinct remote VTEP (tun_dst:=VTEP, output VXLAN)
 * </pre>
 * OVS never outputs a packet to its input port, so a frame from the tunnel is not flooded back into it and
 * a VM does not receive its own broadcast. The ARP responder answers the VMs for every address the overlay
 * knows (remote members and the other local VMs); boards have static neighbours from their overlay plans.
 */
public final class GatewayProgram {

    static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);
    static final TableId CLASSIFY = TableId.of(0);
    static final TableId FORWARD = TableId.of(1);

    private GatewayProgram() {}

    public static FlowProgram of(GatewayInput input) {
        List<OFFlowAdd> flows = new ArrayList<>();
        List<OFGroupAdd> groups = new ArrayList<>();
        OFPort vxlan = OFPort.of(input.vxlanPort());
        for (TableId table : List.of(CLASSIFY, FORWARD)) {
            flows.add(flow(table, 0, OF.buildMatch().build(), List.of()));
        }
        for (OverlayOnGateway o : input.overlays()) {
            U64 vni = U64.of(o.vni());
            for (VmPort vm : o.vms()) {
                flows.add(flow(CLASSIFY, 200, OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(vm.port()))
                        .setExact(MatchField.ETH_SRC, MacAddress.of(vm.mac())).build(),
                        List.of(apply(OF.actions().setField(OF.oxms().tunnelId(vni))),
                                OF.instructions().gotoTable(FORWARD))));
                flows.add(flow(FORWARD, 100, forward(vni, vm.mac()),
                        List.of(apply(OF.actions().output(OFPort.of(vm.port()), 0xffff)))));
                for (VmPort other : o.vms()) {
                    if (other != vm) {
                        flows.add(arpReply(vm, other.mac(), other.address()));
                    }
                }
                for (RemoteMember r : o.remotes()) {
                    flows.add(arpReply(vm, r.mac(), r.address()));
                }
            }
            flows.add(flow(CLASSIFY, 200, OF.buildMatch().setExact(MatchField.IN_PORT, vxlan)
                    .setExact(MatchField.TUNNEL_ID, vni).build(), List.of(OF.instructions().gotoTable(FORWARD))));
            for (RemoteMember r : o.remotes()) {
                flows.add(flow(FORWARD, 100, forward(vni, r.mac()), List.of(apply(
                        OF.actions().setField(OF.oxms().tunnelIpv4Dst(IPv4Address.of(r.vtep()))),
                        OF.actions().output(vxlan, 0xffff)))));
            }
            flows.add(flow(FORWARD, 50, OF.buildMatch().setExact(MatchField.TUNNEL_ID, vni)
                    .setMasked(MatchField.ETH_DST, MacAddress.of("01:00:00:00:00:00"),
                            MacAddress.of("01:00:00:00:00:00")).build(),
                    List.of(apply(OF.actions().group(group(o))))));
            groups.add(flood(o, vxlan));
        }
        return new FlowProgram(flows, groups);
    }

    static OFGroup group(OverlayOnGateway o) {
        return OFGroup.of((int) o.vni());
    }

    private static OFGroupAdd flood(OverlayOnGateway o, OFPort vxlan) {
        List<OFBucket> buckets = new ArrayList<>();
        for (VmPort vm : o.vms()) {
            buckets.add(bucket(List.of(OF.actions().output(OFPort.of(vm.port()), 0xffff))));
        }
        Set<String> vteps = new LinkedHashSet<>();
        o.remotes().forEach(r -> vteps.add(r.vtep()));
        for (String vtep : vteps) {
            buckets.add(bucket(List.of(OF.actions().setField(OF.oxms().tunnelIpv4Dst(IPv4Address.of(vtep))),
                    OF.actions().output(vxlan, 0xffff))));
        }
        return OF.buildGroupAdd().setXid(0).setGroup(group(o)).setGroupType(OFGroupType.ALL).setBuckets(buckets).build();
    }

    private static OFBucket bucket(List<OFAction> actions) {
        return OF.buildBucket().setWatchGroup(OFGroup.ANY).setWatchPort(OFPort.ANY).setActions(actions).build();
    }

    private static Match forward(U64 vni, String mac) {
        return OF.buildMatch().setExact(MatchField.TUNNEL_ID, vni).setExact(MatchField.ETH_DST, MacAddress.of(mac))
                .build();
    }

    /** Answers {@code vm}'s ARP request for {@code address} with {@code mac}, rewriting the request in place. */
    private static OFFlowAdd arpReply(VmPort vm, String mac, String address) {
        MacAddress vmMac = MacAddress.of(vm.mac());
        MacAddress targetMac = MacAddress.of(mac);
        IPv4Address target = IPv4Address.of(address);
        Match match = OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(vm.port()))
                .setExact(MatchField.ETH_TYPE, EthType.ARP).setExact(MatchField.ARP_OP, ArpOpcode.REQUEST)
                .setExact(MatchField.ARP_TPA, target).build();
        return flow(CLASSIFY, 300, match, List.of(apply(
                OF.actions().setField(OF.oxms().ethDst(vmMac)),
                OF.actions().setField(OF.oxms().ethSrc(targetMac)),
                OF.actions().setField(OF.oxms().arpOp(ArpOpcode.REPLY)),
                OF.actions().setField(OF.oxms().arpTha(vmMac)),
                OF.actions().setField(OF.oxms().arpTpa(IPv4Address.of(vm.address()))),
                OF.actions().setField(OF.oxms().arpSha(targetMac)),
                OF.actions().setField(OF.oxms().arpSpa(target)),
                OF.actions().output(OFPort.IN_PORT, 0xffff))));
    }

    private static OFInstruction apply(OFAction... actions) {
        return OF.instructions().applyActions(List.of(actions));
    }

    private static OFFlowAdd flow(TableId table, int priority, Match match, List<OFInstruction> instructions) {
        return FlowCookies.stamp(OF.buildFlowAdd().setTableId(table).setPriority(priority).setMatch(match)
                .setInstructions(instructions).build());
    }
}
