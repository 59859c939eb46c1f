package io.civitas.controller;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The controller's settings, under {@code civitas.*}. The REST port is Spring's {@code server.port}.
 *
 * @param dataDir                 local state: the embedded ZooKeeper's files and the admin token file
 * @param zookeeper               connect string of an external ensemble; empty = run ZooKeeper embedded
 * @param embeddedZookeeperPort   client port of the embedded ZooKeeper on 127.0.0.1; 0 = a free port
 * @param zookeeperConnectTimeout how long start-up waits for ZooKeeper before giving up
 * @param zookeeperSessionTimeout how long ZooKeeper keeps this controller's ephemeral znodes after it vanishes
 * @param controllerId            this controller's name in the cluster; empty = hostname:port
 * @param enrollmentTtl           how long a node's enrollment token stays valid
 * @param wamp                    the agent-facing WAMP router (bound by the wamp package)
 * @param reconcile               the node reconciler's timing
 */
@ConfigurationProperties("civitas")
public record CivitasProperties(
        @DefaultValue("./.civitas/controller") Path dataDir,
        String zookeeper,
        @DefaultValue("0") int embeddedZookeeperPort,
        @DefaultValue("30s") Duration zookeeperConnectTimeout,
        @DefaultValue("15s") Duration zookeeperSessionTimeout,
        String controllerId,
        @DefaultValue("24h") Duration enrollmentTtl,
        @DefaultValue Wamp wamp,
        @DefaultValue Reconcile reconcile) {

    /**
     * @param port      WAMP WebSocket port; 0 = ephemeral (tests)
     * @param publicUrl the WAMP URL advertised to agents, when the request's host is not the right one (NAT, proxy)
     */
    public record Wamp(@DefaultValue("8081") int port, String publicUrl) {}

    /**
     * @param resync       how often every node is looked at again, events or not
     * @param backoffBase  first retry delay ceiling after a failed push (full jitter below it)
     * @param backoffCap   largest retry delay ceiling
     * @param applyTimeout how long one push may take before it counts as failed
     * @param workers      threads that reconcile nodes
     */
    public record Reconcile(@DefaultValue("30s") Duration resync,
                            @DefaultValue("200ms") Duration backoffBase,
                            @DefaultValue("30s") Duration backoffCap,
                            @DefaultValue("30s") Duration applyTimeout,
                            @DefaultValue("2") int workers) {}
}
