package io.civitas.controller.node;

/**
 * Derived from WAMP session presence, never from polling: ONLINE while the node's presence znode exists,
 * REGISTERED if it never connected, OFFLINE otherwise.
 */
public enum NodeStatus { REGISTERED, ONLINE, OFFLINE }
