package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.util.Set;

/**
 * Puts overlay plans into a node's network stack. Implementations are idempotent: applying a plan that is
 * already in place changes nothing, and re-applying after a restart finds the devices by their
 * {@link DeviceNames}. A failed apply leaves no device it created behind.
 */
public interface Datapath {

    /** Makes the node's devices and entries for this overlay equal to the plan. */
    void apply(OverlayPlan plan);

    /** Deletes every device (and with them every entry) of the overlay with this VNI; nothing if absent. */
    void remove(int vni);

    /** The VNIs of the overlays whose devices exist on this node. */
    Set<Integer> installed();
}
