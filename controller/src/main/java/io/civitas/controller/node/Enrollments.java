package io.civitas.controller.node;

import io.civitas.controller.CivitasProperties;
import io.civitas.controller.node.Znodes.Credential;
import io.civitas.controller.node.Znodes.Enrollment;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.Secrets;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import io.civitas.controller.system.ZooKeeperSync;
import io.civitas.protocol.WampUris;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One-time enrollment tokens and the per-node secrets they are traded for. Tokens look like
 * {@code <nodeId>.<256 random bits>}, so a token finds its node without a global index; ZooKeeper
 * holds only SHA-256 hashes of tokens and secrets.
 *
 * <p>Using a token is one ZooKeeper transaction: mark the enrollment used (compare-and-set on its
 * version) and replace the credential. Of two concurrent uses of one token exactly one wins.
 */
@Component
class Enrollments {

    /** A fresh token, what ZooKeeper will keep of it, and when it expires. */
    record Issued(String token, Enrollment record, Instant expiresAt) {}

    /** A node's new credential: the agent's WAMP authid and ticket. */
    record Enrolled(String nodeId, String secret) {}

    private final CuratorFramework zk;
    private final Clock clock;
    private final Duration ttl;

    Enrollments(CuratorFramework zk, Clock clock, CivitasProperties properties) {
        this.zk = zk;
        this.clock = clock;
        this.ttl = properties.enrollmentTtl();
    }

    /** A token for {@code nodeId}, not yet stored (node creation stores it in its own transaction). */
    Issued issue(String nodeId) {
        String token = nodeId + "." + Secrets.newToken();
        Instant expiresAt = clock.instant().plus(ttl);
        return new Issued(token, new Enrollment(Secrets.sha256Hex(token), expiresAt.toEpochMilli(), null), expiresAt);
    }

    /** Replaces the node's pending token; the current credential stays valid until the new token is used. */
    Issued reissue(String nodeId) {
        Issued issued = issue(nodeId);
        try {
            zk.setData().forPath(Znodes.enrollment(nodeId), ZkJson.write(issued.record()));
            return issued;
        } catch (KeeperException.NoNodeException e) {
            throw NodeStore.unknown(nodeId);
        } catch (Exception e) {
            throw ZooKeeperException.wrap("reissue enrollment of " + nodeId, e);
        }
    }

    /** Trades a valid, unused, unexpired token for a new secret; 401 with the reason otherwise. */
    Enrolled enroll(String token) {
        int dot = token == null ? -1 : token.indexOf('.');
        String nodeId = dot < 0 ? null : token.substring(0, dot);
        if (!WampUris.isValidNodeId(nodeId)) {
            throw unknownToken();
        }
        // The node may have been created through another controller a moment ago: read what the leader has.
        ZooKeeperSync.catchUp(zk, Znodes.enrollment(nodeId));
        while (true) {
            Stat stat = new Stat();
            Enrollment enrollment;
            try {
                enrollment = ZkJson.read(zk.getData().storingStatIn(stat).forPath(Znodes.enrollment(nodeId)),
                        Enrollment.class);
            } catch (KeeperException.NoNodeException e) {
                throw unknownToken();
            } catch (Exception e) {
                throw ZooKeeperException.wrap("read enrollment of " + nodeId, e);
            }
            if (!Secrets.matches(token, enrollment.tokenSha256())) {
                throw unknownToken();
            }
            if (enrollment.usedAtMillis() != null) {
                throw ApiException.refused("this enrollment token was already used (at "
                        + Instant.ofEpochMilli(enrollment.usedAtMillis()) + "); an admin can issue a new one"
                        + " with POST /api/v1/nodes/" + nodeId + "/enrollment");
            }
            long now = clock.millis();
            if (now >= enrollment.expiresAtMillis()) {
                throw ApiException.refused("this enrollment token expired at "
                        + Instant.ofEpochMilli(enrollment.expiresAtMillis()) + "; an admin can issue a new one"
                        + " with POST /api/v1/nodes/" + nodeId + "/enrollment");
            }
            String secret = Secrets.newToken();
            Enrollment used = new Enrollment(enrollment.tokenSha256(), enrollment.expiresAtMillis(), now);
            TransactionOp op = zk.transactionOp();
            try {
                zk.transaction().forOperations(
                        op.setData().withVersion(stat.getVersion()).forPath(Znodes.enrollment(nodeId), ZkJson.write(used)),
                        op.setData().forPath(Znodes.credential(nodeId),
                                ZkJson.write(new Credential(Secrets.sha256Hex(secret), now))));
                return new Enrolled(nodeId, secret);
            } catch (KeeperException.BadVersionException raced) {
                // someone else used or replaced it first: read again, which now says why we lost
            } catch (KeeperException.NoNodeException deleted) {
                throw unknownToken();
            } catch (Exception e) {
                throw ZooKeeperException.wrap("enroll " + nodeId, e);
            }
        }
    }

    /** True when {@code secret} is the node's current credential; false for unknown or deleted nodes. */
    boolean verify(String nodeId, String secret) {
        if (!WampUris.isValidNodeId(nodeId) || secret == null) {
            return false;
        }
        if (matchesCredential(nodeId, secret)) {
            return true;
        }
        // Enrolled (again) through another controller a moment ago? Ask once more after catching up.
        ZooKeeperSync.catchUp(zk, Znodes.credential(nodeId));
        return matchesCredential(nodeId, secret);
    }

    private boolean matchesCredential(String nodeId, String secret) {
        try {
            Credential credential = ZkJson.read(zk.getData().forPath(Znodes.credential(nodeId)), Credential.class);
            return Secrets.matches(secret, credential.secretSha256());
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read credential of " + nodeId, e);
        }
    }

    private static ApiException unknownToken() {
        return ApiException.refused("unknown enrollment token (it may have been replaced by a newer one)");
    }
}
