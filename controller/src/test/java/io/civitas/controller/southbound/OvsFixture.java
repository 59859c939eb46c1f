package io.civitas.controller.southbound;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * What the southbound's OVS tests share: real Open vSwitch ({@link Ovs}), an in-process ZooKeeper, Curator
 * clients and controllers (southbounds) made on demand, all closed in reverse order (bridges first).
 */
final class OvsFixture implements AutoCloseable {

    final Ovs ovs = new Ovs();
    final TestingServer zk;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    OvsFixture() throws Exception {
        zk = new TestingServer(true);
    }

    /** A new ZooKeeper session (one per controller). */
    CuratorFramework curator() {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .namespace("civitas").sessionTimeoutMs(5_000).retryPolicy(new RetryOneTime(100)).build();
        c.start();
        opened.push(c);
        return c;
    }

    /** Short timers for tests: echo every second, handshake within {@code handshake}. */
    static OpenFlowProperties properties(int port, Duration handshake) {
        return new OpenFlowProperties(true, port, "127.0.0.1", Duration.ofSeconds(1), handshake,
                Duration.ofSeconds(30), new OpenFlowProperties.Tls(null, null));
    }

    Southbound southbound(String controllerId, CuratorFramework curator, OpenFlowProperties properties) {
        Southbound sb = new Southbound(properties, curator, controllerId).start();
        opened.push(sb);
        return sb;
    }

    Southbound southbound(String controllerId) {
        return southbound(controllerId, curator(), properties(0, Duration.ofSeconds(5)));
    }

    static OpenFlowSwitch awaitMaster(Southbound sb, long dpid) {
        DatapathId id = DatapathId.of(dpid);
        await().atMost(Duration.ofSeconds(20)).until(() -> sb.switches().get(id)
                .map(s -> s.role() == Role.MASTER).orElse(false));
        return sb.switches().get(id).orElseThrow();
    }

    @Override
    public void close() throws Exception {
        ovs.close();
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
        zk.close();
    }
}
