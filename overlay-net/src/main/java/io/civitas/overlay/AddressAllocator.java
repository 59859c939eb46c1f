package io.civitas.overlay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
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
    /** Nodes per transaction in {@link #allocateAll}: 200 creates of small znodes, far below jute.maxbuffer. */
    private static final int BATCH = 100;
    private static final long READ_TIMEOUT_SECONDS = 30;
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

    /**
     * The overlay's members, sorted by node id. The member znodes are read pipelined (all requests in flight at
     * once, then the answers): an overlay of 10,000 members is one round trip's wait, not 10,000.
     */
    public List<Member> members(String overlayName) {
        List<String> nodes = children(ZkPaths.members(overlayName), "members", overlayName);
        Map<String, CompletableFuture<Optional<String>>> reads = new HashMap<>();
        for (String node : nodes) {
            CompletableFuture<Optional<String>> read = new CompletableFuture<>();
            reads.put(node, read);
            try {
                zk.getData().inBackground((client, event) -> {
                    if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                        read.complete(Optional.of(new String(event.getData(), StandardCharsets.UTF_8)));
                    } else if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
                        read.complete(Optional.empty()); // left meanwhile
                    } else {
                        read.completeExceptionally(KeeperException.create(KeeperException.Code.get(event.getResultCode()),
                                event.getPath()));
                    }
                }).forPath(ZkPaths.member(overlayName, node));
            } catch (Exception e) {
                read.completeExceptionally(e);
            }
        }
        List<Member> all = new ArrayList<>();
        try {
            for (Map.Entry<String, CompletableFuture<Optional<String>>> r : reads.entrySet()) {
                r.getValue().get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .ifPresent(ip -> all.add(new Member(r.getKey(), ip, Macs.forMember(overlayName, r.getKey()))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OverlayRegistry.store("list members of overlay " + overlayName, e);
        } catch (ExecutionException | TimeoutException e) {
            throw OverlayRegistry.store("list members of overlay " + overlayName, e.getCause() instanceof Exception cause ? cause : e);
        }
        all.sort(Comparator.comparing(Member::nodeId));
        return all;
    }

    /**
     * {@link #release} for many members at once (as {@link #members} listed them), in transactions of {@link #BATCH};
     * a transaction that fails (a member left or moved meanwhile) is redone node by node.
     */
    public void releaseAll(String overlayName, Collection<Member> leaving) {
        List<Member> all = List.copyOf(leaving);
        all.forEach(m -> checkNodeId(m.nodeId()));
        for (int from = 0; from < all.size(); from += BATCH) {
            List<Member> chunk = all.subList(from, Math.min(all.size(), from + BATCH));
            try {
                List<CuratorOp> ops = new ArrayList<>();
                for (Member m : chunk) {
                    ops.add(zk.transactionOp().delete().forPath(ZkPaths.member(overlayName, m.nodeId())));
                    ops.add(zk.transactionOp().delete().forPath(ZkPaths.address(overlayName, m.address())));
                }
                zk.transaction().forOperations(ops);
            } catch (KeeperException changedMeanwhile) {
                chunk.forEach(m -> release(overlayName, m.nodeId()));
            } catch (Exception e) {
                throw OverlayRegistry.store("release members of overlay " + overlayName, e);
            }
        }
    }

    /** What {@link #allocateAll} did: the members (old and new), and the nodes refused with the reason. */
    public record Allocation(Map<String, Member> members, Map<String, String> refused) {}

    /**
     * {@link #allocate} for many nodes of one overlay at once: one listing of the taken addresses, then the
     * creates in transactions of {@link #BATCH} nodes (each node's address and member znode together, as in
     * {@code allocate}). A transaction that loses a race (an address taken meanwhile) is redone node by node,
     * so the guarantee is {@code allocate}'s: never one address to two nodes.
     */
    public Allocation allocateAll(String overlayName, Collection<String> nodeIds) {
        nodeIds.forEach(AddressAllocator::checkNodeId);
        Overlay overlay = registry.get(overlayName).orElseThrow(() -> notFound(overlayName));
        Map<String, Member> result = new TreeMap<>();
        Map<String, String> refused = new TreeMap<>();
        Map<String, Member> existing = new HashMap<>();
        members(overlayName).forEach(m -> existing.put(m.nodeId(), m));
        Set<String> taken = new HashSet<>();
        existing.values().forEach(m -> taken.add(m.address()));
        taken.addAll(children(ZkPaths.addresses(overlayName), "addresses", overlayName));
        Ipv4Cidr subnet = overlay.subnet();
        List<Member> fresh = new ArrayList<>();
        int next = subnet.firstHost();
        for (String nodeId : new TreeSet<>(nodeIds)) {
            Member had = existing.get(nodeId);
            if (had != null) {
                result.put(nodeId, had);
                continue;
            }
            while (next <= subnet.lastHost() && taken.contains(Ipv4Cidr.format(next))) {
                next++;
            }
            if (next > subnet.lastHost()) {
                refused.put(nodeId, exhausted(overlayName, subnet));
                continue;
            }
            String ip = Ipv4Cidr.format(next++);
            fresh.add(new Member(nodeId, ip, Macs.forMember(overlayName, nodeId)));
        }
        for (int from = 0; from < fresh.size(); from += BATCH) {
            List<Member> chunk = fresh.subList(from, Math.min(fresh.size(), from + BATCH));
            try {
                List<CuratorOp> ops = new ArrayList<>();
                for (Member m : chunk) {
                    ops.add(zk.transactionOp().create().forPath(ZkPaths.address(overlayName, m.address()), bytes(m.nodeId())));
                    ops.add(zk.transactionOp().create().forPath(ZkPaths.member(overlayName, m.nodeId()), bytes(m.address())));
                }
                zk.transaction().forOperations(ops);
                chunk.forEach(m -> result.put(m.nodeId(), m));
            } catch (KeeperException.NodeExistsException lostRace) {
                for (Member m : chunk) { // someone else allocated in between: the careful way, one by one
                    try {
                        result.put(m.nodeId(), allocate(overlayName, m.nodeId()));
                    } catch (OverlayException e) {
                        if (e.reason() == OverlayException.Reason.NOT_FOUND) {
                            throw e;
                        }
                        refused.put(m.nodeId(), e.getMessage());
                    }
                }
            } catch (KeeperException.NoNodeException deleted) {
                throw notFound(overlayName);
            } catch (Exception e) {
                throw OverlayRegistry.store("allocate addresses in overlay " + overlayName, e);
            }
        }
        return new Allocation(result, refused);
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
        Set<String> taken = new HashSet<>(children(ZkPaths.addresses(overlayName), "addresses", overlayName));
        for (int a = subnet.firstHost(); a <= subnet.lastHost(); a++) {
            String ip = Ipv4Cidr.format(a);
            if (!taken.contains(ip)) {
                return ip;
            }
        }
        throw new OverlayException(OverlayException.Reason.POOL_EXHAUSTED, exhausted(overlayName, subnet));
    }

    /** The children of {@code path}, the overlay's {@code what} (for the error). */
    private List<String> children(String path, String what, String overlayName) {
        try {
            return zk.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            throw notFound(overlayName);
        } catch (Exception e) {
            throw OverlayRegistry.store("list " + what + " of overlay " + overlayName, e);
        }
    }

    private static String exhausted(String overlayName, Ipv4Cidr subnet) {
        return "address pool of overlay " + overlayName + " exhausted: all " + subnet.hostCount() + " addresses of "
                + subnet + " are taken";
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
