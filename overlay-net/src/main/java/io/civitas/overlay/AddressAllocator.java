package io.civitas.overlay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Hands out overlay IPv4 addresses to nodes, in ZooKeeper. An address is taken by creating its znode together
 * with the node's member znode in one transaction; creation fails if either exists, so two controllers (or two
 * threads) never hand out one address, and a node asking twice gets the address it already has. The network and
 * broadcast addresses are never handed out; no gateway is reserved (an overlay is one L2 segment, unrouted).
 *
 * <p>{@link #members} reads one znode per member and may be stale by the usual ZooKeeper lag: it is for plans
 * that the reconcile loop recomputes, not for deciding who may take an address.
 */
public final class AddressAllocator {

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int ATTEMPTS = 1000;
    private final CuratorFramework zk;
    private final OverlayRegistry registry;

    public AddressAllocator(CuratorFramework zk, OverlayRegistry registry) {
        this.zk = zk;
        this.registry = registry;
    }

    /** The node's address in the overlay: its existing one, or the lowest free one. */
    public Member allocate(String overlayName, String nodeId) {
        checkNodeId(nodeId);
        Overlay overlay = registry.get(overlayName).orElseThrow(() -> notFound(overlayName));
        Ipv4Cidr subnet = overlay.subnet();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<Member> existing = member(overlayName, nodeId);
            if (existing.isPresent()) {
                return existing.get();
            }
            String ip = lowestFree(overlayName, subnet);
            try {
                zk.transaction().forOperations(
                        zk.transactionOp().create().forPath(ZkPaths.address(overlayName, ip), bytes(nodeId)),
                        zk.transactionOp().create().forPath(ZkPaths.member(overlayName, nodeId), bytes(ip)));
                return new Member(nodeId, ip, Macs.forMember(overlayName, nodeId));
            } catch (KeeperException.NodeExistsException lostRace) {
                // The address went to someone else, or this node was allocated concurrently: look again.
            } catch (KeeperException.NoNodeException deleted) {
                throw notFound(overlayName);
            } catch (Exception e) {
                throw OverlayRegistry.store("allocate an address in overlay " + overlayName, e);
            }
        }
        throw new OverlayException(OverlayException.Reason.STORE,
                "could not allocate an address in overlay " + overlayName + ": too much contention, try again");
    }

    /** Gives the node's address back to the pool; false when the node had none. */
    public boolean release(String overlayName, String nodeId) {
        checkNodeId(nodeId);
        Optional<Member> existing = member(overlayName, nodeId);
        if (existing.isEmpty()) {
            return false;
        }
        try {
            zk.transaction().forOperations(
                    zk.transactionOp().delete().forPath(ZkPaths.member(overlayName, nodeId)),
                    zk.transactionOp().delete().forPath(ZkPaths.address(overlayName, existing.get().address())));
            return true;
        } catch (KeeperException.NoNodeException alreadyGone) {
            return false;
        } catch (Exception e) {
            throw OverlayRegistry.store("release " + nodeId + " from overlay " + overlayName, e);
        }
    }

    /** The overlay's members, sorted by node id. */
    public List<Member> members(String overlayName) {
        try {
            List<Member> all = new ArrayList<>();
            for (String node : zk.getChildren().forPath(ZkPaths.members(overlayName))) {
                member(overlayName, node).ifPresent(all::add);
            }
            all.sort(Comparator.comparing(Member::nodeId));
            return all;
        } catch (KeeperException.NoNodeException e) {
            throw notFound(overlayName);
        } catch (Exception e) {
            throw OverlayRegistry.store("list members of overlay " + overlayName, e);
        }
    }

    /** The node's place in the overlay, if it has one. */
    public Optional<Member> member(String overlayName, String nodeId) {
        try {
            String ip = new String(zk.getData().forPath(ZkPaths.member(overlayName, nodeId)), StandardCharsets.UTF_8);
            return Optional.of(new Member(nodeId, ip, Macs.forMember(overlayName, nodeId)));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw OverlayRegistry.store("read member " + nodeId + " of overlay " + overlayName, e);
        }
    }

    private String lowestFree(String overlayName, Ipv4Cidr subnet) {
        Set<String> taken;
        try {
            taken = new HashSet<>(zk.getChildren().forPath(ZkPaths.addresses(overlayName)));
        } catch (KeeperException.NoNodeException e) {
            throw notFound(overlayName);
        } catch (Exception e) {
            throw OverlayRegistry.store("list addresses of overlay " + overlayName, e);
        }
        for (int a = subnet.firstHost(); a <= subnet.lastHost(); a++) {
            String ip = Ipv4Cidr.format(a);
            if (!taken.contains(ip)) {
                return ip;
            }
        }
        throw new OverlayException(OverlayException.Reason.POOL_EXHAUSTED, "address pool of overlay " + overlayName
                + " exhausted: all " + subnet.hostCount() + " addresses of " + subnet + " are taken");
    }

    private static void checkNodeId(String nodeId) {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw OverlayException.invalid("nodeId", "'" + nodeId + "' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
    }

    private static OverlayException notFound(String overlayName) {
        return new OverlayException(OverlayException.Reason.NOT_FOUND, "overlay " + overlayName + " does not exist");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
