package io.civitas.controller.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether this controller may write: true while its ZooKeeper session is connected to a quorum, false from
 * Curator's {@code SUSPENDED} (connection lost; the session may still live) or {@code LOST} until
 * {@code RECONNECTED}. Everything that writes to agents, switches or ZooKeeper on the cluster's behalf
 * asks this first; REST writes are refused while it is false ({@link QuorumGuardFilter}).
 *
 * <p>Caveat: the flag follows Curator's view, which learns of a lost quorum only when the server it talks to
 * drops the connection (at most about two thirds of the session timeout later).
 */
@Component
public class ZooKeeperLink {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperLink.class);

    /** Told when writing stops ({@code writable == false}) and when it may resume. */
    public interface Listener {
        void writableChanged(boolean writable);
    }

    private final CuratorFramework zk;
    private final Clock clock;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean writable;
    private volatile ConnectionState state = ConnectionState.CONNECTED;
    private volatile long sinceMillis;

    ZooKeeperLink(CuratorFramework zk, Clock clock) {
        this.zk = zk;
        this.clock = clock;
        this.writable = zk.getZookeeperClient().isConnected();
        this.sinceMillis = clock.millis();
        zk.getConnectionStateListenable().addListener((client, newState) -> changed(newState));
        zk.getZookeeperClient().setRetryPolicy(new FailFastRetry(zk.getZookeeperClient().getRetryPolicy(),
                this::writable));
    }

    /** True while ZooKeeper is reachable with a quorum. */
    public boolean writable() {
        return writable;
    }

    /** Curator's last connection state, e.g. CONNECTED, SUSPENDED, LOST, RECONNECTED. */
    public String state() {
        return state.name();
    }

    /** When {@link #writable()} last changed (epoch milliseconds). */
    public long sinceMillis() {
        return sinceMillis;
    }

    /** The current ZooKeeper session id, or 0 when there is none. */
    public long sessionId() {
        try {
            return zk.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    private void changed(ConnectionState newState) {
        state = newState;
        boolean now = newState.isConnected();
        if (now == writable) {
            return;
        }
        writable = now;
        sinceMillis = clock.millis();
        if (now) {
            log.info("ZooKeeper is back ({}): writes resume", newState);
        } else {
            log.warn("ZooKeeper connection {}: no writes to agents, switches or the city's state until it is back",
                    newState);
        }
        for (Listener listener : listeners) {
            try {
                listener.writableChanged(now);
            } catch (RuntimeException e) {
                log.warn("A ZooKeeper link listener failed: {}", e.toString());
            }
        }
    }
}
