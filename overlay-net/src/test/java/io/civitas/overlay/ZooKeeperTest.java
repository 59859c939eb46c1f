package io.civitas.overlay;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A real in-process ZooKeeper per test, and a client in a namespace as a controller would use. */
abstract class ZooKeeperTest {

    TestingServer server;
    CuratorFramework zk;
    OverlayRegistry registry;
    AddressAllocator allocator;

    @BeforeEach
    void startZooKeeper() throws Exception {
        server = new TestingServer(true);
        zk = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100)).namespace("civitas-test").build();
        zk.start();
        zk.blockUntilConnected();
        registry = new OverlayRegistry(zk);
        allocator = new AddressAllocator(zk, registry);
    }

    @AfterEach
    void stopZooKeeper() throws Exception {
        zk.close();
        server.close();
    }
}
