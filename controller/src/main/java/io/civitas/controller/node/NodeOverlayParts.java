package io.civitas.controller.node;

import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import io.civitas.protocol.Underlay;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The two overlay facts kept with a node: where its agent's VXLAN endpoint is ({@link Underlay}, from its hello)
 * and which overlays an operator put it in ({@code POST /api/v1/overlays/{name}/members}).
 */
@Component
public class NodeOverlayParts {

    /** What {@code /nodes/<id>/overlay-memberships} holds: overlay names, sorted. */
    record Memberships(List<String> overlays) {
        Memberships {
            overlays = overlays == null ? List.of() : List.copyOf(new TreeSet<>(overlays));
        }
    }

    private final CuratorFramework zk;
    private final NodeStateStore states;
    private final NodeCache cache;

    NodeOverlayParts(CuratorFramework zk, NodeStateStore states, NodeCache cache) {
        this.zk = zk;
        this.states = states;
        this.cache = cache;
    }

    public boolean exists(String id) {
        try {
            return io.civitas.protocol.WampUris.isValidNodeId(id) && zk.checkExists().forPath(Znodes.node(id)) != null;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("check node " + id, e);
        }
    }

    public Optional<Underlay> underlay(String id) {
        return states.read(Znodes.underlay(id), Underlay.class).map(Versioned::value);
    }

    /**
     * The underlays of many nodes, from the in-memory mirror of {@code /nodes} (it may lag a hello by a watch's
     * time; the hello's own refresh of its peers follows): for plans of whole overlays, where a read per member
     * would make an overlay of N nodes cost N squared reads.
     */
    public Map<String, Underlay> underlays(Collection<String> ids) {
        Map<String, Underlay> found = new HashMap<>();
        ids.forEach(id -> cache.node(Znodes.underlay(id), Underlay.class).ifPresent(u -> found.put(id, u)));
        return found;
    }

    /** Stores the node's underlay; true when it changed (then every peer's plan must change too). */
    boolean putUnderlay(String id, Underlay underlay) {
        if (Objects.equals(underlay(id).orElse(null), underlay)) {
            return false;
        }
        return underlay == null ? delete(Znodes.underlay(id)) : write(Znodes.underlay(id), underlay);
    }

    /** The overlays an operator put the node in. */
    public Set<String> memberships(String id) {
        return new TreeSet<>(states.read(Znodes.overlayMemberships(id), Memberships.class)
                .map(v -> v.value().overlays()).orElse(List.of()));
    }

    /** Adds or removes one operator membership; false when the node does not exist. */
    public boolean setMembership(String id, String overlay, boolean member) {
        while (true) {
            Optional<Versioned<Memberships>> current = states.read(Znodes.overlayMemberships(id), Memberships.class);
            Set<String> names = new TreeSet<>(current.map(v -> v.value().overlays()).orElse(List.of()));
            if (member ? !names.add(overlay) : !names.remove(overlay)) {
                return exists(id);
            }
            byte[] data = ZkJson.write(new Memberships(List.copyOf(names)));
            try {
                if (current.isPresent()) {
                    zk.setData().withVersion(current.get().version()).forPath(Znodes.overlayMemberships(id), data);
                } else {
                    zk.create().forPath(Znodes.overlayMemberships(id), data);
                }
                return true;
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException raced) {
                // another writer: read again
            } catch (KeeperException.NoNodeException gone) {
                return false;
            } catch (Exception e) {
                throw ZooKeeperException.wrap("write " + Znodes.overlayMemberships(id), e);
            }
        }
    }

    private boolean write(String path, Object value) {
        byte[] data = ZkJson.write(value);
        try {
            try {
                zk.setData().forPath(path, data);
            } catch (KeeperException.NoNodeException missing) {
                zk.create().forPath(path, data);
            }
            return true;
        } catch (KeeperException.NoNodeException | KeeperException.NodeExistsException raced) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("write " + path, e);
        }
    }

    private boolean delete(String path) {
        try {
            zk.delete().forPath(path);
            return true;
        } catch (KeeperException.NoNodeException gone) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("delete " + path, e);
        }
    }
}
