package io.civitas.agent;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * Whom the agent trusts when it talks TLS to a controller (https for bootstrap and enrollment, wss for its session):
 * the CA certificates of one PEM file when given (a city's own CA), else the JVM's trusted CAs. Host names are
 * checked in both, so a certificate for another host is refused. Jawampa would trust any certificate on wss when
 * given no context of its own, hence one is always given.
 */
final class ControllerTls {

    private final SSLContext http;
    private final SslContext wamp;

    private ControllerTls(TrustManagerFactory trust) throws GeneralSecurityException, IOException {
        this.http = SSLContext.getInstance("TLS");
        http.init(null, trust.getTrustManagers(), null);
        this.wamp = SslContextBuilder.forClient().trustManager(trust).endpointIdentificationAlgorithm("HTTPS").build();
    }

    /**
     * @throws AgentException (CONFIGURATION) when {@code caPem} holds no readable certificate
     */
    static ControllerTls trusting(Path caPem) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(caPem == null ? null : keyStoreOf(caPem));
            return new ControllerTls(trust);
        } catch (GeneralSecurityException | IOException e) {
            throw new AgentException(AgentException.Kind.CONFIGURATION,
                    "cannot use " + (caPem == null ? "the JVM's trusted CAs" : caPem) + " for TLS: " + e.getMessage(), e);
        }
    }

    private static KeyStore keyStoreOf(Path pem) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
        }
        if (i == 0) {
            throw new GeneralSecurityException("no certificate in " + pem);
        }
        return store;
    }

    /** For the JDK HttpClient (https). */
    SSLContext http() {
        return http;
    }

    /** For Jawampa's Netty client (wss). */
    SslContext wamp() {
        return wamp;
    }
}
