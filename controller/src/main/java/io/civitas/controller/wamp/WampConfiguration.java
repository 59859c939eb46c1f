package io.civitas.controller.wamp;

import io.civitas.controller.agent.AgentEvents;
import io.civitas.controller.system.ControllerIdentity;
import io.civitas.protocol.Protocol;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import ws.wamp.jawampa.ApplicationError;
import ws.wamp.jawampa.WampRouter;
import ws.wamp.jawampa.WampRouterBuilder;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.io.File;
import java.time.Duration;

/** Wires the router, the agent sessions, the controller's own session and the WebSocket endpoint. */
@Configuration(proxyBeanMethods = false)
class WampConfiguration {

    @Bean
    WampRouter wampRouter() throws ApplicationError {
        return new WampRouterBuilder().addRealm(Protocol.REALM).build();
    }

    @Bean
    NodeSessions nodeSessions(AgentEvents events) {
        return new NodeSessions(events);
    }

    @Bean
    ControllerSession controllerSession(WampRouter router, NodeSessions sessions,
                                        ControllerIdentity identity,
                                        @Value("${civitas.wamp.call-timeout:10s}") Duration callTimeout) {
        return new ControllerSession(router, sessions, identity.id(), callTimeout);
    }

    /**
     * The agents' WebSocket speaks TLS with the REST API's certificate whenever the REST API does (Spring's
     * {@code server.ssl.certificate} and {@code server.ssl.certificate-private-key}, PEM; {@code --tls-certificate}
     * and {@code --tls-private-key} on the command line): one certificate for all the controller serves agents,
     * since both carry the node's secret.
     */
    @Bean
    WampServer wampServer(WampRouter router, NodeSessions sessions, ControllerSession session,
                          @Value("${civitas.wamp.bind-address:0.0.0.0}") String bindAddress,
                          @Value("${civitas.wamp.port:8081}") int port,
                          @Value("${civitas.wamp.keepalive:20s}") Duration keepalive,
                          @Value("${server.ssl.enabled:true}") boolean sslEnabled,
                          @Value("${server.ssl.certificate:}") String certificate,
                          @Value("${server.ssl.certificate-private-key:}") String privateKey) {
        SslContext tls = null;
        if (sslEnabled && !certificate.isBlank()) {
            if (privateKey.isBlank()) {
                throw new IllegalStateException("server.ssl.certificate is set but server.ssl.certificate-private-key is not"
                        + " (--tls-private-key): the agents' WebSocket cannot speak TLS without the key");
            }
            try {
                tls = SslContextBuilder.forServer(pemFile(certificate), pemFile(privateKey)).build();
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new IllegalStateException("cannot use " + certificate + " and " + privateKey
                        + " for the agents' WebSocket: " + e.getMessage(), e);
            }
        }
        return new WampServer(router, sessions, session, bindAddress, port, keepalive, tls);
    }

    /** Spring takes resource locations ({@code file:...}, {@code classpath:...}); Netty a file. */
    private static File pemFile(String location) {
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        if (path.startsWith("classpath:")) {
            throw new IllegalArgumentException("the agents' WebSocket needs PEM files on disk, not " + location);
        }
        File file = new File(path);
        if (!file.canRead()) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        return file;
    }
}
