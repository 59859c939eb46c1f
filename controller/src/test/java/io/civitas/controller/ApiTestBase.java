package io.civitas.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.agent.AgentEvents;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One controller shared by the API tests of this JVM (Spring caches the context): embedded ZooKeeper in
 * a fresh temporary folder, REST on a random port, fake agents. Tests use unique node names, so they
 * do not see each other's nodes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "civitas.controller-id=test-controller",
        "civitas.wamp.port=0",
        "civitas.reconcile.backoff-base=20ms",
        "civitas.reconcile.backoff-cap=200ms",
        "civitas.reconcile.resync=1h",
        "civitas.reconcile.apply-timeout=2s"})
@Import(TestAgents.class)
public abstract class ApiTestBase {

    private static Path dataDir;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("civitas.data-dir", () -> sharedDataDir().toString());
    }

    @LocalServerPort
    protected int port;
    @Autowired
    protected FakeAgentChannel agents;
    @Autowired
    protected AgentEvents agentEvents;
    @Autowired
    protected CuratorFramework zk;
    @Autowired
    protected TestClock clock;
    protected Api api;

    @BeforeEach
    void connect() throws IOException {
        api = new Api(port, adminToken());
    }

    protected static String adminToken() throws IOException {
        return Files.readString(sharedDataDir().resolve("admin-token")).trim();
    }

    protected static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a node and returns the 201 body (node fields plus enrollmentToken). */
    protected JsonNode createNode(String name) {
        Api.Response r = api.post("/api/v1/nodes", """
                {"name": "%s", "kind": "BOARD", "location": {"lat": 38.19, "lon": 15.55},
                 "labels": {"district": "centro"}}""".formatted(name));
        if (r.status() != 201) {
            throw new AssertionError("creating " + name + ": " + r);
        }
        return r.body();
    }

    protected boolean znodeExists(String path) {
        try {
            return zk.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized Path sharedDataDir() {
        if (dataDir == null) {
            try {
                dataDir = Files.createTempDirectory("civitas-api-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dataDir;
    }
}
