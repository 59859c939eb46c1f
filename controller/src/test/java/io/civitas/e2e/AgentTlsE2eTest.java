package io.civitas.e2e;

import io.civitas.agent.AgentConfig;
import io.civitas.agent.NodeAgent;
import io.civitas.controller.ControllerApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A controller with a certificate (from a test CA made with openssl, for localhost) serves REST over https and the
 * agents' WebSocket over wss: an agent that trusts the CA enrolls and joins; one that does not never gets a session
 * and never spends its token; a plain WebSocket gets nothing.
 */
class AgentTlsE2eTest {

    @TempDir
    Path dir;

    private ConfigurableApplicationContext controller;
    private final List<NodeAgent> agents = new ArrayList<>();
    private int restPort;
    private int wampPort;
    private CityApi api;

    @BeforeEach
    void start() throws Exception {
        String d = dir.toString();
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=civitas-test-ca",
                "-keyout", d + "/ca.key", "-out", d + "/ca.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", d + "/controller.key");
        openssl("req", "-new", "-key", d + "/controller.key", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-out", d + "/controller.csr");
        openssl("x509", "-req", "-in", d + "/controller.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
                "-CAcreateserial", "-days", "2", "-copy_extensions", "copy", "-out", d + "/controller.pem");

        restPort = FreePorts.next();
        wampPort = FreePorts.next();
        controller = new SpringApplicationBuilder(ControllerApplication.class).run(
                "--server.port=" + restPort,
                "--server.ssl.certificate=file:" + d + "/controller.pem",
                "--server.ssl.certificate-private-key=file:" + d + "/controller.key",
                "--civitas.wamp.port=" + wampPort,
                "--civitas.wamp.bind-address=127.0.0.1",
                "--civitas.openflow.enabled=false",
                "--civitas.data-dir=" + dir.resolve("controller"));
        String token = Files.readString(dir.resolve("controller").resolve("admin-token")).trim();
        api = new CityApi(base(), token, HttpClient.newBuilder().sslContext(trusting(dir.resolve("ca.pem"))).build());
    }

    @AfterEach
    void stop() {
        agents.forEach(NodeAgent::close);
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void anAgentThatTrustsTheCityCaEnrollsOverHttpsAndJoinsOverWss() throws Exception {
        CityApi.Response bootstrap = api.get("/api/v1/agent/bootstrap");
        assertThat(bootstrap.body().get("wampUrl").asText()).isEqualTo("wss://localhost:" + wampPort + "/wamp");
        // Discovery hands out the secure URLs too.
        com.fasterxml.jackson.databind.JsonNode member = api.get("/api/v1/cluster/members").body().get("members").get(0);
        assertThat(member.get("restUrl").asText()).startsWith("https://").endsWith(":" + restPort);
        assertThat(member.get("wampUrl").asText()).startsWith("wss://").endsWith(":" + wampPort + "/wamp");

        String token = newNode("board-tls");
        NodeAgent agent = agent(token, dir.resolve("ca.pem"), "a");
        agent.start();
        await().atMost(Duration.ofSeconds(30)).until(agent::isConnected);
        assertThat(agent.controller()).isEqualTo(base());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                api.get("/api/v1/nodes/" + agent.nodeId()).body().get("status").asText().equals("ONLINE"));
    }

    @Test
    void anAgentThatDoesNotTrustTheCertificateNeverSendsItsTokenAndAPlainWebSocketGetsNothing() throws Exception {
        String token = newNode("board-untrusting");
        NodeAgent untrusting = agent(token, null, "b"); // the JVM's CAs only: the test CA is not among them
        untrusting.start();
        Thread.sleep(3_000); // several attempts, each refused at the handshake
        assertThat(untrusting.isConnected()).isFalse();
        assertThat(untrusting.nodeId()).isNull();
        untrusting.close();

        // The token was never presented: an agent that trusts the CA can still use it.
        NodeAgent trusting = agent(token, dir.resolve("ca.pem"), "c");
        trusting.start();
        await().atMost(Duration.ofSeconds(30)).until(trusting::isConnected);

        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                throw new AssertionError("a plain WebSocket got a message: " + data);
            }
        };
        assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("wamp.2.json")
                .buildAsync(URI.create("ws://127.0.0.1:" + wampPort + "/wamp"), listener).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("IOException");
    }

    private String newNode(String name) throws Exception {
        CityApi.Response created = api.post("/api/v1/nodes", "{\"name\":\"" + name + "\",\"kind\":\"BOARD\"}");
        assertThat(created.status()).isEqualTo(201);
        return created.body().get("enrollmentToken").asText();
    }

    private NodeAgent agent(String token, Path ca, String stateDir) {
        AgentConfig config = new AgentConfig(List.of(base()), token, dir.resolve("agent-" + stateDir), null,
                Duration.ofMillis(200), Duration.ofSeconds(1));
        NodeAgent agent = new NodeAgent(ca == null ? config : config.withTrustedCa(ca));
        agents.add(agent);
        return agent;
    }

    private URI base() {
        return URI.create("https://localhost:" + restPort);
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** openssl must be there (CI installs it): a missing one fails the test, it does not skip it. */
    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("%s: %s", command, out).isTrue();
    }
}
