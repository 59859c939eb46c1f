package io.civitas.controller.policy;

import io.civitas.controller.policy.PolicyZnodes.Activation;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Component;

/**
 * {@code /policy-activation}: which version of which policy is active. Changed only with the znode
 * version it was read at, so two activations that read the same record cannot both write: the second
 * gets 409 and nothing of it is applied. {@code zkVersion} -1 means "no record yet".
 */
@Component
class ActivationStore {

    record Current(Activation activation, int zkVersion) {}

    private final CuratorFramework zk;

    ActivationStore(CuratorFramework zk) {
        this.zk = zk;
    }

    Current read() {
        try {
            Stat stat = new Stat();
            byte[] data = zk.getData().storingStatIn(stat).forPath(PolicyZnodes.ACTIVATION);
            return new Current(ZkJson.read(data, Activation.class), stat.getVersion());
        } catch (KeeperException.NoNodeException none) {
            return new Current(Activation.NONE, -1);
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read the policy activation", e);
        }
    }

    /** Writes {@code next} if the record is still at {@code read}'s version; 409 otherwise. Returns the new version. */
    int write(Current read, Activation next) {
        byte[] data = ZkJson.write(next);
        try {
            if (read.zkVersion() < 0) {
                zk.create().forPath(PolicyZnodes.ACTIVATION, data);
                return 0;
            }
            return zk.setData().withVersion(read.zkVersion()).forPath(PolicyZnodes.ACTIVATION, data).getVersion();
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                 | KeeperException.NoNodeException raced) {
            throw ApiException.conflict("another activation changed the active policies meanwhile; nothing was"
                    + " changed by this one: look at GET /api/v1/policies and try again");
        } catch (Exception e) {
            throw ZooKeeperException.wrap("write the policy activation", e);
        }
    }
}
