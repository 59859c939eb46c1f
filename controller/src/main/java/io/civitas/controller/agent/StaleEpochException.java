package io.civitas.controller.agent;

/**
 * The node's agent refused a write: it has accepted one decided under a newer mastership epoch, so another
 * controller masters the node now (or did after this one). Final for that write; retrying with the same epoch
 * cannot succeed.
 */
public class StaleEpochException extends RuntimeException {
    private final String nodeId;
    private final long heldEpoch;
    private final long offeredEpoch;

    public StaleEpochException(String nodeId, long heldEpoch, long offeredEpoch) {
        super("node " + nodeId + " refused mastership epoch " + offeredEpoch + ": it accepted epoch " + heldEpoch);
        this.nodeId = nodeId;
        this.heldEpoch = heldEpoch;
        this.offeredEpoch = offeredEpoch;
    }

    public String nodeId() {
        return nodeId;
    }

    /** The highest epoch the agent has accepted. */
    public long heldEpoch() {
        return heldEpoch;
    }

    /** The epoch the refused write carried. */
    public long offeredEpoch() {
        return offeredEpoch;
    }
}
