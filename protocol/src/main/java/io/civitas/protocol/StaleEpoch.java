package io.civitas.protocol;

/**
 * The keyword arguments of a {@link WampUris#ERROR_STALE_EPOCH} error: the highest mastership epoch the node's
 * agent has accepted, and the older one the refused write carried.
 */
public record StaleEpoch(String nodeId, long heldEpoch, long offeredEpoch) {}
