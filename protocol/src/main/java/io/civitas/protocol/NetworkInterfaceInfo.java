package io.civitas.protocol;

import java.util.List;

/** One network interface of a node: name, hardware address (may be empty) and its IP addresses. */
public record NetworkInterfaceInfo(String name, String mac, List<String> addresses, boolean up) {}
