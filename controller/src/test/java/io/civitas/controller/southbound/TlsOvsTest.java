package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.civitas.overlay.openflow.FlowProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * TLS between OVS and the controller: a CA, a controller certificate and a switch certificate made with
 * openssl; OVS connects with {@code ssl:} and verifies the controller's certificate against the CA.
 * {@code ovs-vsctl set-ssl} is global to the OVS instance, so the test removes it afterwards.
 */
class TlsOvsTest {

    private final long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private OvsFixture fixture;
    private Path dir;

    @BeforeEach
    void start() throws Exception {
        fixture = new OvsFixture();
        dir = Files.createTempDirectory("cvof-tls");
        Ovs ovs = fixture.ovs;
        String d = dir.toString();
        ovs.check("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=civitas-test-ca",
                "-keyout", d + "/ca.key", "-out", d + "/ca.pem");
        for (String who : List.of("controller", "switch")) {
            ovs.check("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", d + "/" + who + ".key");
            ovs.check("openssl", "req", "-new", "-key", d + "/" + who + ".key", "-subj", "/CN=civitas-" + who,
                    "-out", d + "/" + who + ".csr");
            ovs.check("openssl", "x509", "-req", "-in", d + "/" + who + ".csr", "-CA", d + "/ca.pem",
                    "-CAkey", d + "/ca.key", "-CAcreateserial", "-days", "2", "-out", d + "/" + who + ".pem");
        }
        ovs.check("ovs-vsctl", "set-ssl", d + "/switch.key", d + "/switch.pem", d + "/ca.pem");
    }

    @AfterEach
    void stop() throws Exception {
        Ovs.run(10, "ovs-vsctl", "del-ssl");
        fixture.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Test
    void switchConnectsOverTlsAndGetsItsFlows() {
        OpenFlowProperties tls = new OpenFlowProperties(true, 0, "127.0.0.1", Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(30),
                new OpenFlowProperties.Tls(dir.resolve("controller.pem"), dir.resolve("controller.key")));
        Southbound southbound = fixture.southbound("tls", fixture.curator(), tls);
        String br = fixture.ovs.bridge(dpid);
        fixture.ovs.check("ovs-vsctl", "set-controller", br, "ssl:127.0.0.1:" + southbound.port());
        OpenFlowSwitch sw = OvsFixture.awaitMaster(southbound, dpid);
        southbound.desiredFlows().put(DatapathId.of(dpid),
                new FlowProgram(List.of(OpenFlowOvsTest.flow(1, 2, 100)), List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.ovs.flows(br).size() == 1);
        assertThat(sw.isConnected()).isTrue();
        // A plain-TCP switch on the TLS port gets no OpenFlow session: the bytes it sends are not a TLS handshake.
        try (FakeSwitch plain = new FakeSwitch(southbound.port(), 77, true)) {
            plain.hello();
            await().atMost(Duration.ofSeconds(10)).until(plain::isClosedByController);
            assertThat(plain.received).isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(southbound.switches().get(DatapathId.of(77))).isEmpty();
    }
}
