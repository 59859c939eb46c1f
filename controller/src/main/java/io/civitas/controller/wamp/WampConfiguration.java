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

    @Bean
    WampServer wampServer(WampRouter router, NodeSessions sessions, ControllerSession session,
                          @Value("${civitas.wamp.bind-address:0.0.0.0}") String bindAddress,
                          @Value("${civitas.wamp.port:8081}") int port,
                          @Value("${civitas.wamp.keepalive:20s}") Duration keepalive) {
        return new WampServer(router, sessions, session, bindAddress, port, keepalive);
    }
}
