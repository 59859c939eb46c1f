/**
 * Virtual overlay networks. Public face: {@link io.civitas.overlay.Overlay} (the model),
 * {@link io.civitas.overlay.OverlayRegistry} and {@link io.civitas.overlay.AddressAllocator} (allocation in
 * ZooKeeper), {@link io.civitas.overlay.OverlayPlans} (a node's plan, a pure function) and
 * {@link io.civitas.overlay.Datapath} with {@link io.civitas.overlay.KernelDatapath} (programming Linux).
 */
package io.civitas.overlay;
