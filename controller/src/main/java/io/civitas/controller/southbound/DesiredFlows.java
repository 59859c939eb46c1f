package io.civitas.controller.southbound;

import io.civitas.overlay.openflow.FlowProgram;
import org.projectfloodlight.openflow.types.DatapathId;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The desired flow program of each switch (a cache: it is computed from what ZooKeeper holds, e.g. by the
 * overlays' gateway program). A switch with no program is desired empty: the reconciler clears it.
 */
public final class DesiredFlows {

    private final Map<DatapathId, FlowProgram> programs = new ConcurrentHashMap<>();
    private final List<Consumer<DatapathId>> listeners = new CopyOnWriteArrayList<>();

    public FlowProgram get(DatapathId dpid) {
        return programs.getOrDefault(dpid, FlowProgram.EMPTY);
    }

    /** Replaces the switch's program; listeners (the reconciler) hear of it. */
    public void put(DatapathId dpid, FlowProgram program) {
        programs.put(dpid, program);
        listeners.forEach(l -> l.accept(dpid));
    }

    void onChange(Consumer<DatapathId> listener) {
        listeners.add(listener);
    }
}
