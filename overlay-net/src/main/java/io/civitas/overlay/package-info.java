/**
 * Virtual overlay networks: VNI and address allocation, per-node plans, datapaths.
 * Empty until the overlay issue lands; the module exists so the dependency direction holds.
 */
package io.civitas.overlay;
