package io.civitas.controller.southbound;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The OpenFlow southbound's settings, under {@code civitas.openflow.*}.
 *
 * @param enabled          whether the controller listens for switches at all
 * @param port             the TCP port switches connect to (6653, IANA's); 0 = a free port (tests)
 * @param bindAddress      the address to listen on
 * @param echoInterval     an ECHO_REQUEST goes out after this long without traffic; a switch silent for three
 *                         intervals is disconnected
 * @param handshakeTimeout a switch that is not ACTIVE this long after connecting is disconnected
 * @param requestTimeout   how long a request (stats, barrier, role, bundle) waits for its reply
 * @param tls              optional TLS: PEM certificate chain and PKCS#8 key; both empty = plain TCP
 */
@ConfigurationProperties("civitas.openflow")
public record OpenFlowProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("6653") int port,
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("5s") Duration echoInterval,
        @DefaultValue("10s") Duration handshakeTimeout,
        @DefaultValue("30s") Duration requestTimeout,
        @DefaultValue Tls tls) {

    public record Tls(Path certificate, Path privateKey) {
        boolean enabled() {
            return certificate != null && privateKey != null;
        }
    }
}
