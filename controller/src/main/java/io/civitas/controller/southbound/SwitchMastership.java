package io.civitas.controller.southbound;

import org.projectfloodlight.openflow.types.DatapathId;

import java.util.function.Consumer;

/**
 * Which controller masters which switch, and the generation of that mastership. The generation only grows
 * (a new master always has a larger one), and it is the OpenFlow ROLE_REQUEST generation_id: a switch refuses
 * a role request with a generation smaller than one it has seen (OFPRRFC_STALE), so a controller that lost
 * mastership without noticing cannot take the switch back. ONOS and Floodlight send generation 0 always.
 * Kept small so it can delegate to the cluster's mastership later.
 */
public interface SwitchMastership extends AutoCloseable {

    /** This controller's standing for one switch. */
    record Term(boolean master, long generation) {}

    /** Starts contending for {@code dpid}; {@code onChange} gets this controller's first and every later term. */
    void join(DatapathId dpid, Consumer<Term> onChange);

    /** Stops contending (the switch disconnected from this controller). */
    void leave(DatapathId dpid);

    @Override
    void close();

    /** One controller alone, without ZooKeeper: master of every switch at generation 1 (benchmarks, demos). */
    static SwitchMastership standalone() {
        return new SwitchMastership() {
            @Override
            public void join(DatapathId dpid, Consumer<Term> onChange) {
                onChange.accept(new Term(true, 1));
            }

            @Override
            public void leave(DatapathId dpid) {}

            @Override
            public void close() {}
        };
    }
}
