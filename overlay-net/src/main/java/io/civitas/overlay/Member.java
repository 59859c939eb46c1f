package io.civitas.overlay;

/** A node's place in an overlay: its overlay IPv4 address and the MAC of its overlay interface. */
public record Member(String nodeId, String address, String mac) {}
