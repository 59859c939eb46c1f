/**
 * Virtual overlay networks. Public face: {@link io.civitas.overlay.Overlay} (the model),
 * {@link io.civitas.overlay.OverlayRegistry} and {@link io.civitas.overlay.AddressAllocator} (allocation in
 * ZooKeeper), {@link io.civitas.overlay.OverlayPlans} (a node's plan, a pure function) and
 * {@link io.civitas.overlay.Datapath} with {@link io.civitas.overlay.KernelDatapath} (programming Linux),
 * {@link io.civitas.overlay.UserspaceDatapath} (VXLAN in this process over TAP devices) and
 * {@link io.civitas.overlay.DatapathChoice} (each overlay on the kind that fits); for the controller
 * {@link io.civitas.overlay.Relay} (VXLAN relay for members behind NAT) and {@link io.civitas.overlay.Capture}
 * (bounded packet capture as a pcap file).
 */
package io.civitas.overlay;
