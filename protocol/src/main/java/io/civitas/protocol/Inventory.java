package io.civitas.protocol;

import java.util.List;

/** What an agent runs on, reported on every connect. */
public record Inventory(String hostname, String architecture, String os, String kernel, String javaVersion,
                        String agentVersion, List<NetworkInterfaceInfo> interfaces) {}
