package io.civitas.controller.cluster;

/**
 * Which controller of the cluster leads (runs the policy evaluation). One at a time, elected with Curator's
 * LeaderLatch; a leader that loses its ZooKeeper connection stops leading at once ({@code SUSPENDED}), before
 * another can be elected (after its session expires).
 *
 * <p>{@link #epoch()} is the leader's term, raised by every new leader in ZooKeeper; a write decided by the
 * leader can carry it so that a write of a deposed leader is refused (see {@link #fence()}).
 */
public interface Leadership {

    /** Told on the Curator event thread: keep it short. */
    interface Listener {
        void leadershipChanged(boolean leader, long epoch);
    }

    boolean isLeader();

    /** This leader's term; -1 when this controller does not lead. */
    long epoch();

    /** The current leader's term as last seen (this one's or another's); -1 before any. Never blocks long. */
    long term();

    /** The leading controller's id (while ZooKeeper is lost: the last one seen); null when unknown. Never blocks long. */
    String leaderId();

    /**
     * A write decided by the leader, in a ZooKeeper transaction with {@code check().withVersion(version)
     * .forPath(path)}: it fails (BadVersion) once another controller has become leader since.
     */
    record Fence(String path, int version) {}

    /** This leader's fence; null when this controller does not lead. */
    default Fence fence() {
        long term = epoch();
        return term < 0 ? null : new Fence(ClusterZnodes.LEADER_EPOCH, (int) term);
    }

    void addListener(Listener listener);
}
