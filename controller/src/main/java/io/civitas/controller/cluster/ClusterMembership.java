package io.civitas.controller.cluster;

import io.civitas.controller.system.ControllerIdentity;
import io.civitas.controller.system.WampEndpoint;
import io.civitas.controller.system.ZkJson;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * This controller's membership record, {@code /cluster/members/<id>}: EPHEMERAL (Curator's PersistentNode,
 * which re-creates it after a lost session), written once the controller serves REST and WAMP, holding the
 * addresses agents and other controllers use. {@link #members()} is the live membership from a CuratorCache.
 *
 * <p>Addresses use {@code civitas.cluster.advertise-host} (default: this machine's host name).
 */
@Component
public class ClusterMembership implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

    /** One controller of the cluster, as it registered itself. {@code openflow} is null without a southbound. */
    public record Member(String id, String restUrl, String wampUrl, String openflow, long sinceMillis) {}

    private final CuratorFramework zk;
    private final String controllerId;
    private final WampEndpoint wamp;
    private final Environment environment;
    private final Clock clock;
    private final CuratorCache cache;
    private volatile PersistentNode record;
    private volatile Member self;

    ClusterMembership(CuratorFramework zk, ControllerIdentity identity, WampEndpoint wamp, Environment environment,
                      Clock clock) throws Exception {
        this.zk = zk;
        this.controllerId = identity.id();
        this.wamp = wamp;
        this.environment = environment;
        this.clock = clock;
        zk.createContainers(ClusterZnodes.MEMBERS);
        this.cache = CuratorCache.build(zk, ClusterZnodes.MEMBERS);
        cache.start();
    }

    /** Joins once REST and WAMP listen, so that a listed member can be reached at once. */
    @EventListener(ApplicationReadyEvent.class)
    public void join() throws Exception {
        String host = environment.getProperty("civitas.cluster.advertise-host");
        if (!StringUtils.hasText(host)) {
            host = InetAddress.getLocalHost().getHostName();
        }
        int restPort = environment.getProperty("local.server.port", Integer.class,
                environment.getProperty("server.port", Integer.class, 8080));
        Integer openflowPort = environment.getProperty("civitas.openflow.port", Integer.class);
        boolean restTls = environment.getProperty("server.ssl.enabled", Boolean.class, true)
                && (StringUtils.hasText(environment.getProperty("server.ssl.certificate"))
                || StringUtils.hasText(environment.getProperty("server.ssl.key-store")));
        String scheme = restTls ? "https" : "http";
        self = new Member(controllerId, scheme + "://" + host + ":" + restPort,
                wamp.scheme() + "://" + host + ":" + wamp.port() + wamp.path(),
                openflowPort == null || openflowPort <= 0 ? null : host + ":" + openflowPort, clock.millis());
        removeLeftover();
        PersistentNode node = new PersistentNode(zk, CreateMode.EPHEMERAL, false, ClusterZnodes.member(controllerId),
                ZkJson.write(self));
        node.start();
        if (!node.waitForInitialCreate(30, TimeUnit.SECONDS)) {
            log.warn("The membership record of {} is not written yet; it will be when ZooKeeper answers", controllerId);
        }
        record = node;
        log.info("Joined the cluster as {} (REST {}, WAMP {})", controllerId, self.restUrl(), self.wampUrl());
    }

    /** This controller's record; null before it joined. */
    public Member self() {
        return self;
    }

    public String controllerId() {
        return controllerId;
    }

    /** The live members (from the cache: lags ZooKeeper by a watch; the last known set while it is lost). */
    public List<Member> members() {
        return cache.stream()
                .filter(d -> d.getPath().startsWith(ClusterZnodes.MEMBERS + "/"))
                .map(ClusterMembership::member)
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(Member::id))
                .toList();
    }

    @Override
    public void close() throws Exception {
        PersistentNode node = record;
        if (node != null) {
            node.close();
        }
        cache.close();
    }

    /** A record of an earlier run of this controller (same id) whose session has not expired yet. */
    private void removeLeftover() throws Exception {
        String path = ClusterZnodes.member(controllerId);
        Stat stat = zk.checkExists().forPath(path);
        if (stat != null && stat.getEphemeralOwner() != zk.getZookeeperClient().getZooKeeper().getSessionId()) {
            try {
                zk.delete().withVersion(stat.getVersion()).forPath(path);
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
                // expired or replaced meanwhile
            }
        }
    }

    private static Member member(ChildData data) {
        if (data.getData() == null || data.getData().length == 0) {
            return null;
        }
        try {
            return ZkJson.read(data.getData(), Member.class);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
