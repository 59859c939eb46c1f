package io.civitas.controller.policy;

import io.civitas.controller.policy.PolicyZnodes.Head;
import io.civitas.controller.policy.PolicyZnodes.StoredFile;
import io.civitas.controller.policy.PolicyZnodes.Version;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import io.civitas.policy.PolicyFile;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Policy versions in ZooKeeper. A new version number is the head's {@code latestVersion + 1}, written
 * together with the version in one transaction guarded by the head's znode version: of two concurrent
 * pushes one wins and the other retries with the next number. Versions are never changed or deleted.
 */
@Component
class PolicyStore {

    record VersionInfo(int version, long createdAtMillis) {}

    private final CuratorFramework zk;
    private final Clock clock;

    PolicyStore(CuratorFramework zk, Clock clock) throws Exception {
        this.zk = zk;
        this.clock = clock;
        try {
            zk.create().creatingParentsIfNeeded().forPath(PolicyZnodes.POLICIES);
        } catch (KeeperException.NodeExistsException alreadyThere) {
            // made by an earlier start or another controller
        }
    }

    /** Stores {@code files} as the policy's next version (creating the policy) and returns its number. */
    int add(String name, List<PolicyFile> files) {
        byte[] data = ZkJson.write(new Version(files.stream().map(f -> new StoredFile(f.path(), f.text())).toList(),
                clock.millis()));
        while (true) {
            try {
                Stat stat = new Stat();
                Head head = ZkJson.read(zk.getData().storingStatIn(stat).forPath(PolicyZnodes.policy(name)), Head.class);
                int next = head.latestVersion() + 1;
                TransactionOp op = zk.transactionOp();
                zk.transaction().forOperations(
                        op.setData().withVersion(stat.getVersion()).forPath(PolicyZnodes.policy(name),
                                ZkJson.write(new Head(next))),
                        op.create().forPath(PolicyZnodes.version(name, next), data));
                return next;
            } catch (KeeperException.NoNodeException newPolicy) {
                if (createFirst(name, data)) {
                    return 1;
                }
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException raced) {
                // another push took this number: try the next
            } catch (Exception e) {
                throw ZooKeeperException.wrap("store policy " + name, e);
            }
        }
    }

    List<String> names() {
        try {
            return zk.getChildren().forPath(PolicyZnodes.POLICIES).stream().sorted().toList();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("list policies", e);
        }
    }

    /** The latest version number; empty when there is no such policy. */
    Optional<Integer> latest(String name) {
        return read(PolicyZnodes.policy(name), Head.class).map(Head::latestVersion);
    }

    /** Every version, oldest first; empty when there is no such policy. */
    Optional<List<VersionInfo>> versions(String name) {
        if (latest(name).isEmpty()) {
            return Optional.empty();
        }
        try {
            List<VersionInfo> infos = new ArrayList<>();
            for (String child : zk.getChildren().forPath(PolicyZnodes.versions(name))) {
                int n = Integer.parseInt(child);
                version(name, n).ifPresent(v -> infos.add(new VersionInfo(n, v.createdAtMillis())));
            }
            infos.sort(Comparator.comparingInt(VersionInfo::version));
            return Optional.of(infos);
        } catch (KeeperException.NoNodeException gone) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("list versions of " + name, e);
        }
    }

    Optional<Version> version(String name, int version) {
        return read(PolicyZnodes.version(name, version), Version.class);
    }

    /** The files of a version as the engine takes them; empty when it does not exist. */
    Optional<List<PolicyFile>> files(String name, int version) {
        return version(name, version).map(v -> v.files().stream().map(f -> new PolicyFile(f.path(), f.text())).toList());
    }

    /** False when another push created the policy first (then it has a head to allocate from). */
    private boolean createFirst(String name, byte[] data) {
        TransactionOp op = zk.transactionOp();
        try {
            zk.transaction().forOperations(
                    op.create().forPath(PolicyZnodes.policy(name), ZkJson.write(new Head(1))),
                    op.create().forPath(PolicyZnodes.versions(name)),
                    op.create().forPath(PolicyZnodes.version(name, 1), data));
            return true;
        } catch (KeeperException.NodeExistsException raced) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("create policy " + name, e);
        }
    }

    private <T> Optional<T> read(String path, Class<T> type) {
        try {
            return Optional.of(ZkJson.read(zk.getData().forPath(path), type));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read " + path, e);
        }
    }
}
