package io.civitas.protocol;

/** The controller's answer to {@link AgentHello}: the node it took the session for. */
public record HelloReply(String nodeId, String controllerId, long serverTimeMillis) {}
