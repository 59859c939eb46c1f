package io.civitas.controller.node;

/**
 * A Spring application event: something about this node may need reconciling (its desired state changed,
 * its agent joined or said hello). Carries only the key, like a controller-runtime request.
 */
public record NodeChanged(String nodeId) {}
