package io.civitas.protocol;

/**
 * What an agent says after joining: who it is, which contract it speaks, what it runs on, and the
 * generation it applied last (0 when it never applied one), so a restarted agent resumes cleanly.
 */
public record AgentHello(String nodeId, int protocolVersion, Inventory inventory, long appliedGeneration) {}
