package io.civitas.overlay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The overlays of the city, stored in ZooKeeper through the caller's {@link CuratorFramework} (whose namespace
 * the caller chooses).
 *
 * <p>Creating and deleting are single ZooKeeper transactions conditioned on the version of {@code /overlays}:
 * the checks for a VNI collision and an overlapping CIDR are made against a set that cannot change before the
 * write, so two controllers can never both succeed, and a refused create writes nothing. A lost race is retried
 * against the new set. Reads ({@link #list()}, {@link #get}) may be stale by the usual ZooKeeper lag.
 */
public final class OverlayRegistry {

    private static final int ATTEMPTS = 20;
    private final CuratorFramework zk;

    public OverlayRegistry(CuratorFramework zk) {
        this.zk = zk;
    }

    /** Stores a new overlay, or refuses with EXISTS, VNI_TAKEN or CIDR_OVERLAP and writes nothing. */
    public void create(Overlay overlay) {
        ensureRoots();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stat guard = new Stat();
            List<Overlay> existing = readAll(guard);
            refuseConflicts(overlay, existing);
            List<CuratorOp> ops = new ArrayList<>();
            try {
                ops.add(zk.transactionOp().setData().withVersion(guard.getVersion()).forPath(ZkPaths.OVERLAYS, new byte[0]));
                ops.add(zk.transactionOp().create().withMode(CreateMode.PERSISTENT)
                        .forPath(ZkPaths.overlay(overlay.name()), OverlayCodec.encode(overlay)));
                ops.add(zk.transactionOp().create().forPath(ZkPaths.addresses(overlay.name()), new byte[0]));
                ops.add(zk.transactionOp().create().forPath(ZkPaths.members(overlay.name()), new byte[0]));
                ops.add(zk.transactionOp().create()
                        .forPath(ZkPaths.vni(overlay.vni()), overlay.name().getBytes(StandardCharsets.UTF_8)));
                zk.transaction().forOperations(ops);
                return;
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException lostRace) {
                // Another controller changed the set since we read it: check again against the new set.
            } catch (Exception e) {
                throw store("create overlay " + overlay.name(), e);
            }
        }
        throw new OverlayException(OverlayException.Reason.STORE,
                "could not create overlay " + overlay.name() + ": the overlay set kept changing, try again");
    }

    /** Deletes an overlay with its allocations; false when there was none. */
    public boolean delete(String name) {
        ensureRoots();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                Stat guard = new Stat();
                zk.getData().storingStatIn(guard).forPath(ZkPaths.OVERLAYS);
                Optional<Overlay> found = get(name);
                if (found.isEmpty()) {
                    return false;
                }
                List<CuratorOp> ops = new ArrayList<>();
                ops.add(zk.transactionOp().setData().withVersion(guard.getVersion()).forPath(ZkPaths.OVERLAYS, new byte[0]));
                for (String ip : zk.getChildren().forPath(ZkPaths.addresses(name))) {
                    ops.add(zk.transactionOp().delete().forPath(ZkPaths.address(name, ip)));
                }
                for (String node : zk.getChildren().forPath(ZkPaths.members(name))) {
                    ops.add(zk.transactionOp().delete().forPath(ZkPaths.member(name, node)));
                }
                ops.add(zk.transactionOp().delete().forPath(ZkPaths.addresses(name)));
                ops.add(zk.transactionOp().delete().forPath(ZkPaths.members(name)));
                ops.add(zk.transactionOp().delete().forPath(ZkPaths.overlay(name)));
                ops.add(zk.transactionOp().delete().forPath(ZkPaths.vni(found.get().vni())));
                zk.transaction().forOperations(ops);
                return true;
            } catch (KeeperException.BadVersionException | KeeperException.NotEmptyException
                     | KeeperException.NoNodeException lostRace) {
                // An allocation or another delete raced us: read again.
            } catch (OverlayException e) {
                throw e;
            } catch (Exception e) {
                throw store("delete overlay " + name, e);
            }
        }
        throw new OverlayException(OverlayException.Reason.STORE,
                "could not delete overlay " + name + ": its allocations kept changing, try again");
    }

    /** The overlays, sorted by name. */
    public List<Overlay> list() {
        ensureRoots();
        return readAll(new Stat());
    }

    public Optional<Overlay> get(String name) {
        try {
            return Optional.of(OverlayCodec.decode(zk.getData().forPath(ZkPaths.overlay(name))));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw store("read overlay " + name, e);
        }
    }

    private static void refuseConflicts(Overlay candidate, List<Overlay> existing) {
        Ipv4Cidr subnet = candidate.subnet();
        for (Overlay o : existing) {
            if (o.name().equals(candidate.name())) {
                throw new OverlayException(OverlayException.Reason.EXISTS, "name: overlay " + o.name() + " already exists");
            }
            if (o.vni() == candidate.vni()) {
                throw new OverlayException(OverlayException.Reason.VNI_TAKEN,
                        "vni: " + o.vni() + " is already used by overlay " + o.name());
            }
            if (o.subnet().overlaps(subnet)) {
                throw new OverlayException(OverlayException.Reason.CIDR_OVERLAP,
                        "cidr: " + candidate.cidr() + " overlaps " + o.cidr() + " of overlay " + o.name());
            }
        }
    }

    /** Reads the guard's version first, so a write conditioned on it sees no change made after this read. */
    private List<Overlay> readAll(Stat guard) {
        try {
            zk.getData().storingStatIn(guard).forPath(ZkPaths.OVERLAYS);
            List<Overlay> all = new ArrayList<>();
            for (String name : zk.getChildren().forPath(ZkPaths.OVERLAYS)) {
                get(name).ifPresent(all::add);
            }
            all.sort(Comparator.comparing(Overlay::name));
            return all;
        } catch (OverlayException e) {
            throw e;
        } catch (Exception e) {
            throw store("list overlays", e);
        }
    }

    private void ensureRoots() {
        for (String path : List.of(ZkPaths.OVERLAYS, ZkPaths.VNIS)) {
            try {
                zk.create().creatingParentContainersIfNeeded().forPath(path, new byte[0]);
            } catch (KeeperException.NodeExistsException fine) {
                // made by us earlier or by another controller
            } catch (Exception e) {
                throw store("create " + path, e);
            }
        }
    }

    static OverlayException store(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new OverlayException(OverlayException.Reason.STORE, "ZooKeeper failed to " + what + ": " + e, e);
    }
}
