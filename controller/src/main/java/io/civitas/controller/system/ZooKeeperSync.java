package io.civitas.controller.system;

import org.apache.curator.framework.CuratorFramework;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Catches this session's ZooKeeper server up with the leader. Reads are served by whichever server a session
 * is connected to, and a follower may not yet have applied a write another controller just committed (a node
 * created through one controller, enrolled through another a moment later). Curator runs sync only in the
 * background, hence the wait here.
 */
public final class ZooKeeperSync {

    private static final long TIMEOUT_SECONDS = 10;

    private ZooKeeperSync() {}

    /** Returns once reads of {@code path} on this session see every write committed before the call. */
    public static void catchUp(CuratorFramework zk, String path) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        int rc;
        try {
            zk.sync().inBackground((client, event) -> done.complete(event.getResultCode())).forPath(path);
            rc = done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw ZooKeeperException.wrap("sync " + path, e);
        }
        if (rc != 0) {
            throw new ZooKeeperException("sync " + path + " failed with ZooKeeper code " + rc, null);
        }
    }
}
