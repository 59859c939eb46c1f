package io.civitas.controller.southbound;

import org.projectfloodlight.openflow.protocol.errormsg.OFRoleRequestFailedErrorMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns mastership terms into ROLE_REQUESTs: an ACTIVE switch joins the contention for it; each term this
 * controller gets is asked of the switch with its generation id; the role the switch confirms (or its refusal,
 * OFPRRFC_STALE: this controller is fenced) is what counts, and is announced to the listeners.
 */
final class SwitchRoles implements SwitchListener {

    private static final Logger log = LoggerFactory.getLogger(SwitchRoles.class);
    private final SwitchRegistry registry;
    private final SwitchMastership mastership;

    SwitchRoles(SwitchRegistry registry, SwitchMastership mastership) {
        this.registry = registry;
        this.mastership = mastership;
    }

    @Override
    public void switchActivated(OpenFlowSwitch sw) {
        mastership.join(sw.dpid(), term -> {
            if (registry.get(sw.dpid()).orElse(null) != sw) {
                return;
            }
            ask(sw, term.master() ? Role.MASTER : Role.SLAVE, term.generation());
        });
    }

    /** Asks {@code sw} for a role; what the switch answers becomes the switch's role here. */
    void ask(OpenFlowSwitch sw, Role role, long generation) {
        sw.requestRole(role, generation).whenComplete((confirmed, error) -> {
            if (error == null) {
                log.info("Switch {} confirmed role {} at generation {}", sw.dpid(), confirmed, generation);
                registry.fire(l -> l.roleChanged(sw, confirmed));
                return;
            }
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            if (cause instanceof OpenFlowException of && of.error() instanceof OFRoleRequestFailedErrorMsg refused) {
                log.warn("Switch {} refused role {} at generation {} ({}){}", sw.dpid(), role, generation,
                        refused.getCode(), role == Role.MASTER ? ": this controller is fenced" : "");
                settleAsSlave(sw);
                return;
            }
            log.warn("Role request {} to switch {} failed: {}", role, sw.dpid(), cause.toString());
            sw.demoted();
            registry.fire(l -> l.roleChanged(sw, Role.SLAVE));
        });
    }

    /**
     * After a refused (stale) role request: SLAVE at the generation the switch itself holds, read with a
     * NOCHANGE request. Without this, a controller whose first request lost a race with a new master's
     * claim would stay EQUAL in the switch, which may write.
     */
    private void settleAsSlave(OpenFlowSwitch sw) {
        sw.switchGeneration().thenCompose(current -> sw.requestRole(Role.SLAVE, current))
                .whenComplete((confirmed, error) -> {
                    if (error != null) {
                        log.warn("Switch {} did not take this controller as SLAVE either: {}", sw.dpid(),
                                error.toString());
                        sw.demoted();
                    } else {
                        log.info("Switch {} confirmed role SLAVE at its generation {}", sw.dpid(),
                                sw.generationId());
                    }
                    registry.fire(l -> l.roleChanged(sw, Role.SLAVE));
                });
    }

    @Override
    public void switchDisconnected(OpenFlowSwitch sw) {
        if (registry.get(sw.dpid()).isEmpty()) {
            mastership.leave(sw.dpid());
        }
    }
}
