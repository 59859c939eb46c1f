package io.civitas.controller.southbound;

import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortStatus;

/**
 * What happens to switches, for the parts of the controller that care. Called on the switch's event loop:
 * do not block; hand real work to an executor.
 */
public interface SwitchListener {

    default void switchActivated(OpenFlowSwitch sw) {}

    default void switchDisconnected(OpenFlowSwitch sw) {}

    /** The switch confirmed a new role for this controller (or refused one: then the role is SLAVE). */
    default void roleChanged(OpenFlowSwitch sw, Role role) {}

    default void portChanged(OpenFlowSwitch sw, OFPortStatus status) {}

    default void packetIn(OpenFlowSwitch sw, OFPacketIn packetIn) {}

    default void flowRemoved(OpenFlowSwitch sw, OFFlowRemoved removed) {}
}
