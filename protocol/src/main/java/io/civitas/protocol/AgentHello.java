package io.civitas.protocol;

/**
 * What an agent says after joining: who it is, which contract it speaks, what it runs on, the generation it
 * applied last (0 when it never applied one), so a restarted agent resumes cleanly, and where its VXLAN endpoint
 * is on the underlay (null from an agent that runs no overlay datapath).
 */
public record AgentHello(String nodeId, int protocolVersion, Inventory inventory, long appliedGeneration,
                         Underlay underlay) {

    public AgentHello(String nodeId, int protocolVersion, Inventory inventory, long appliedGeneration) {
        this(nodeId, protocolVersion, inventory, appliedGeneration, null);
    }
}
