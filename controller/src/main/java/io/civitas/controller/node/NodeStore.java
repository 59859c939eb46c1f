package io.civitas.controller.node;

import io.civitas.controller.node.Znodes.Credential;
import io.civitas.controller.node.Znodes.Enrollment;
import io.civitas.controller.node.Znodes.Reported;
import io.civitas.controller.node.Znodes.Spec;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import io.civitas.protocol.DesiredState;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A node's existence and spec in ZooKeeper. Creating, renaming and deleting are single ZooKeeper
 * transactions together with the {@code /names} index, so a name is never taken twice and a node is
 * never half there.
 */
@Component
class NodeStore {

    private final CuratorFramework zk;

    NodeStore(CuratorFramework zk) throws Exception {
        this.zk = zk;
        for (String parent : List.of(Znodes.NODES, Znodes.NAMES, Znodes.PRESENCE)) {
            try {
                zk.create().creatingParentsIfNeeded().forPath(parent);
            } catch (KeeperException.NodeExistsException alreadyThere) {
                // made by an earlier start or another controller
            }
        }
    }

    /**
     * Creates the node and all its znodes at once. Returns false when {@code spec.id()} is already taken
     * (pick another); throws 409 when the name is.
     */
    boolean create(Spec spec, Enrollment enrollment) {
        String id = spec.id();
        TransactionOp op = zk.transactionOp();
        try {
            zk.transaction().forOperations(
                    op.create().forPath(Znodes.name(spec.name()), ZkJson.write(id)),
                    op.create().forPath(Znodes.node(id), ZkJson.write(spec)),
                    op.create().forPath(Znodes.credential(id), ZkJson.write(Credential.NONE)),
                    op.create().forPath(Znodes.enrollment(id), ZkJson.write(enrollment)),
                    op.create().forPath(Znodes.desiredSpec(id), ZkJson.write(Znodes.DesiredSpec.EMPTY)),
                    op.create().forPath(Znodes.policyDecisions(id), ZkJson.write(PolicyDecisions.NONE)),
                    op.create().forPath(Znodes.desired(id), ZkJson.write(new DesiredState(id, 0, null, null))),
                    op.create().forPath(Znodes.reported(id), ZkJson.write(Reported.NEVER)));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            if (exists(Znodes.name(spec.name()))) {
                throw nameTaken(spec.name());
            }
            return false;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("create node " + id, e);
        }
    }

    Optional<Versioned<Spec>> spec(String id) {
        try {
            Stat stat = new Stat();
            byte[] data = zk.getData().storingStatIn(stat).forPath(Znodes.node(id));
            return Optional.of(new Versioned<>(ZkJson.read(data, Spec.class), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read node " + id, e);
        }
    }

    /** Applies {@code change} with compare-and-set, moving the name index along when the name changes. */
    Spec update(String id, UnaryOperator<Spec> change) {
        while (true) {
            Versioned<Spec> current = spec(id).orElseThrow(() -> unknown(id));
            Spec next = change.apply(current.value());
            if (next.equals(current.value())) {
                return next;
            }
            TransactionOp op = zk.transactionOp();
            List<CuratorOp> ops = new ArrayList<>();
            try {
                ops.add(op.setData().withVersion(current.version()).forPath(Znodes.node(id), ZkJson.write(next)));
                if (!next.name().equals(current.value().name())) {
                    ops.add(op.delete().forPath(Znodes.name(current.value().name())));
                    ops.add(op.create().forPath(Znodes.name(next.name()), ZkJson.write(id)));
                }
                zk.transaction().forOperations(ops);
                return next;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                // changed or deleted meanwhile: read again (a deleted node then answers 404)
            } catch (KeeperException.NodeExistsException e) {
                throw nameTaken(next.name());
            } catch (Exception e) {
                throw ZooKeeperException.wrap("update node " + id, e);
            }
        }
    }

    /** Removes the node and everything it owns; false when it did not exist. */
    boolean delete(String id) {
        while (true) {
            Optional<Versioned<Spec>> current = spec(id);
            if (current.isEmpty()) {
                return false;
            }
            TransactionOp op = zk.transactionOp();
            try {
                List<CuratorOp> ops = new ArrayList<>();
                // Parts written later in a node's life (or not at all, for nodes stored before they existed).
                for (String part : List.of(Znodes.desiredSpec(id), Znodes.policyDecisions(id), Znodes.underlay(id),
                        Znodes.overlayMemberships(id))) {
                    if (exists(part)) {
                        ops.add(op.delete().forPath(part));
                    }
                }
                ops.add(op.delete().forPath(Znodes.credential(id)));
                ops.add(op.delete().forPath(Znodes.enrollment(id)));
                ops.add(op.delete().forPath(Znodes.desired(id)));
                ops.add(op.delete().forPath(Znodes.reported(id)));
                ops.add(op.delete().withVersion(current.get().version()).forPath(Znodes.node(id)));
                ops.add(op.delete().forPath(Znodes.name(current.get().value().name())));
                zk.transaction().forOperations(ops);
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException
                     | KeeperException.NotEmptyException raced) {
                continue; // changed meanwhile (a part may have just been created): look again
            } catch (Exception e) {
                throw ZooKeeperException.wrap("delete node " + id, e);
            }
            try {
                zk.delete().forPath(Znodes.presence(id));
            } catch (KeeperException.NoNodeException notConnected) {
                // nothing to remove
            } catch (Exception e) {
                throw ZooKeeperException.wrap("delete presence of " + id, e);
            }
            return true;
        }
    }

    static ApiException unknown(String id) {
        return ApiException.notFound("no node with id '" + id + "'");
    }

    private static ApiException nameTaken(String name) {
        return ApiException.conflict("name", "a node named '" + name + "' already exists");
    }

    private boolean exists(String path) {
        try {
            return zk.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("check " + path, e);
        }
    }
}
