package io.civitas.controller.node;

import io.civitas.controller.node.Znodes.Presence;
import io.civitas.controller.system.ControllerIdentity;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Which controller holds each node's agent session: an EPHEMERAL znode {@code /presence/<id>} owned by
 * that controller's ZooKeeper session, so it vanishes when the controller dies (once ZooKeeper notices:
 * up to {@code civitas.zookeeper-session-timeout}; until then the node still shows ONLINE).
 *
 * <p>Caveats: after this controller's ZooKeeper session expires and a new one starts, the presences it
 * held are re-created from memory (replacing those the servers still keep for the old session). Presences left by a previous run of this controller (same id) are
 * removed at start instead of waiting for that old session to expire.
 */
@Component
class PresenceStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceStore.class);

    private final CuratorFramework zk;
    private final String controllerId;
    private final Map<String, Presence> held = new ConcurrentHashMap<>();
    private final ExecutorService restorer = Executors.newSingleThreadExecutor(r -> new Thread(r, "presence-restore"));

    PresenceStore(CuratorFramework zk, ControllerIdentity identity) {
        this.zk = zk;
        this.controllerId = identity.id();
        removeLeftoversOfEarlierRun();
        zk.getConnectionStateListenable().addListener((client, state) -> {
            if (state == ConnectionState.RECONNECTED) {
                restoreHeld();
            }
        }, restorer);
    }

    /** Marks the node as held by this controller for {@code sessionId}, replacing any earlier holder. */
    void join(String id, long sessionId, String remoteAddress, long nowMillis) {
        Presence presence = new Presence(sessionId, controllerId, remoteAddress, nowMillis);
        held.put(id, presence);
        write(id, presence);
    }

    /** Removes the presence only if it is still this session's (a reconnect may have replaced it). */
    boolean leave(String id, long sessionId) {
        held.computeIfPresent(id, (k, p) -> p.sessionId() == sessionId ? null : p);
        try {
            Stat stat = new Stat();
            Presence current = ZkJson.read(zk.getData().storingStatIn(stat).forPath(Znodes.presence(id)), Presence.class);
            if (current.sessionId() != sessionId || !controllerId.equals(current.controllerId())) {
                return false;
            }
            zk.delete().withVersion(stat.getVersion()).forPath(Znodes.presence(id));
            return true;
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("remove presence of " + id, e);
        }
    }

    Optional<Presence> get(String id) {
        try {
            return Optional.of(ZkJson.read(zk.getData().forPath(Znodes.presence(id)), Presence.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read presence of " + id, e);
        }
    }

    /** True while this controller holds the node's session. */
    boolean heldHere(String id) {
        return get(id).map(p -> controllerId.equals(p.controllerId())).orElse(false);
    }

    void forget(String id) {
        held.remove(id);
    }

    @Override
    public void close() {
        restorer.shutdownNow();
    }

    private void write(String id, Presence presence) {
        byte[] data = ZkJson.write(presence);
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(Znodes.presence(id), data);
                return;
            } catch (KeeperException.NodeExistsException e) {
                deleteQuietly(id); // an older session's, here or on another controller: ours is newer
            } catch (Exception e) {
                throw ZooKeeperException.wrap("write presence of " + id, e);
            }
        }
        throw new ZooKeeperException("presence of " + id + " keeps being re-created by someone else", null);
    }

    private void restoreHeld() {
        held.forEach((id, presence) -> {
            try {
                if (zk.checkExists().forPath(Znodes.node(id)) == null) {
                    held.remove(id);
                    return;
                }
                // Still there from this controller's previous session (after a lost quorum the servers keep
                // that session until its timeout runs out after they recover): replace it, or it vanishes later.
                Stat stat = new Stat();
                try {
                    Presence current = ZkJson.read(zk.getData().storingStatIn(stat).forPath(Znodes.presence(id)),
                            Presence.class);
                    if (!controllerId.equals(current.controllerId())
                            || stat.getEphemeralOwner() == zk.getZookeeperClient().getZooKeeper().getSessionId()) {
                        return; // another controller's now, or already this session's
                    }
                    zk.delete().withVersion(stat.getVersion()).forPath(Znodes.presence(id));
                } catch (KeeperException.NoNodeException gone) {
                    // expired: create it below
                }
                zk.create().withMode(CreateMode.EPHEMERAL).forPath(Znodes.presence(id), ZkJson.write(presence));
            } catch (Exception e) {
                log.warn("Could not restore the presence of node {}: {}", id, e.toString());
            }
        });
    }

    private void removeLeftoversOfEarlierRun() {
        try {
            if (zk.checkExists().forPath(Znodes.PRESENCE) == null) {
                return;
            }
            long mySession = zk.getZookeeperClient().getZooKeeper().getSessionId();
            for (String id : zk.getChildren().forPath(Znodes.PRESENCE)) {
                try {
                    Stat stat = new Stat();
                    Presence p = ZkJson.read(zk.getData().storingStatIn(stat).forPath(Znodes.presence(id)),
                            Presence.class);
                    if (controllerId.equals(p.controllerId()) && stat.getEphemeralOwner() != mySession) {
                        zk.delete().withVersion(stat.getVersion()).forPath(Znodes.presence(id));
                    }
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException raced) {
                    // gone or changed meanwhile: not a leftover any more
                }
            }
        } catch (Exception e) {
            throw ZooKeeperException.wrap("clean up presences", e);
        }
    }

    private void deleteQuietly(String id) {
        try {
            zk.delete().forPath(Znodes.presence(id));
        } catch (KeeperException.NoNodeException gone) {
            // fine
        } catch (Exception e) {
            throw ZooKeeperException.wrap("replace presence of " + id, e);
        }
    }
}
