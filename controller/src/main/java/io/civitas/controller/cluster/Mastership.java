package io.civitas.controller.cluster;

/**
 * Which controller masters each node (its agent's session) and each OpenFlow switch, and the epoch of that
 * mastership, for fencing: a controller writes to a node's agent or to a switch only while
 * {@link #isMaster} is true, and stamps the write with {@link #epoch}.
 *
 * <p>The contract:
 * <ul>
 * <li>A mastership is an EPHEMERAL znode owned by this controller's ZooKeeper session
 *     ({@code /presence/<nodeId>} for nodes, {@code /cluster/switches/<dpid>} for switches). Its epoch is the
 *     znode's creation zxid: every new mastership of the same id, here or elsewhere, has a larger one.</li>
 * <li>{@link #isMaster} is false while this controller's ZooKeeper link is down (SUSPENDED or LOST), even
 *     if the record still exists: the session may be expiring and another controller taking over. It reads
 *     ZooKeeper (one round trip); it never blocks for long.</li>
 * <li>Nodes become mastered by the controller their agent connects to (the node registry claims them).
 *     Switches are claimed with {@link #claimSwitch} by the controller holding the switch's connection; a
 *     controller that asked and lost keeps watching and takes the switch when its master dies.</li>
 * <li>Node ids start with {@code n}; datapath ids are given as 16 lowercase hex digits. The two never collide.</li>
 * </ul>
 */
public interface Mastership {

    /** Told when this controller gains or loses a switch's mastership (also all at once when ZooKeeper is lost). */
    interface SwitchListener {
        void switchMastershipChanged(String dpid, boolean master, long epoch);
    }

    /** True while this controller masters the node or switch and may write to it. */
    boolean isMaster(String nodeIdOrDpid);

    /** The epoch of this controller's mastership of the node or switch; -1 when it is not master. */
    long epoch(String nodeIdOrDpid);

    /**
     * Asks to master the switch whose OpenFlow connection this controller holds. Returns the epoch when it is
     * master now, -1 when another live controller is; then it becomes master (and listeners are told) if that
     * one's record vanishes while this controller still wants the switch.
     */
    long claimSwitch(String dpid);

    /** Gives the switch up (its connection closed here). */
    void releaseSwitch(String dpid);

    void addSwitchListener(SwitchListener listener);
}
