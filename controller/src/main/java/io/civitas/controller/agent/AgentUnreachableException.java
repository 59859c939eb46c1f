package io.civitas.controller.agent;

/** The node has no session on this controller right now. */
public class AgentUnreachableException extends RuntimeException {
    public AgentUnreachableException(String nodeId) {
        super("node " + nodeId + " has no agent session on this controller");
    }
}
