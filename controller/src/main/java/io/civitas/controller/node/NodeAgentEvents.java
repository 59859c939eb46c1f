package io.civitas.controller.node;

import io.civitas.controller.agent.AgentEvents;
import io.civitas.controller.node.Znodes.Reported;
import io.civitas.protocol.AgentHello;
import io.civitas.protocol.OverlayStatus;
import io.civitas.protocol.SensorReading;
import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import java.time.Clock;

/**
 * What the agent router tells the registry. Status follows session presence; hello stores what the
 * agent says it runs and has applied. It publishes {@link NodeChanged} rather than calling the
 * reconciler, so that the router (which depends on this bean) and the reconciler (which depends on the
 * router's AgentChannel) do not form a cycle.
 */
@Component
class NodeAgentEvents implements AgentEvents {

    private static final Logger log = LoggerFactory.getLogger(NodeAgentEvents.class);

    private final Enrollments enrollments;
    private final PresenceStore presences;
    private final NodeStateStore states;
    private final Readings readings;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final NodeOverlayParts overlayParts;
    private final DesiredStates desiredStates;

    NodeAgentEvents(Enrollments enrollments, PresenceStore presences, NodeStateStore states, Readings readings,
                    ApplicationEventPublisher events, Clock clock, NodeOverlayParts overlayParts,
                    DesiredStates desiredStates) {
        this.overlayParts = overlayParts;
        this.desiredStates = desiredStates;
        this.enrollments = enrollments;
        this.presences = presences;
        this.states = states;
        this.readings = readings;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public boolean verifyCredential(String nodeId, String secret) {
        return enrollments.verify(nodeId, secret);
    }

    @Override
    public void sessionJoined(String nodeId, long sessionId, String remoteAddress) {
        if (!WampUris.isValidNodeId(nodeId) || states.reported(nodeId).isEmpty()) {
            log.warn("Session {} joined for unknown node {}; ignored", sessionId, nodeId);
            return;
        }
        long now = clock.millis();
        presences.join(nodeId, sessionId, remoteAddress, now);
        touch(nodeId, now);
        log.info("Node {} joined (session {} from {})", nodeId, sessionId, remoteAddress);
        events.publishEvent(new NodeChanged(nodeId));
    }

    @Override
    public void helloReceived(String nodeId, long sessionId, AgentHello hello) {
        long now = clock.millis();
        // The agent is the authority on what it runs now: a restarted agent may report less than before.
        boolean known = states.updateReported(nodeId, r -> new Reported(hello.appliedGeneration(),
                hello.appliedGeneration() == r.appliedGeneration() ? r.appliedAtMillis() : null,
                hello.protocolVersion(), hello.inventory(), now));
        if (known) {
            // Where its VXLAN endpoint is: when that moved (or is new), its own and its peers' plans change.
            if (hello.underlay() != null && overlayParts.putUnderlay(nodeId, hello.underlay())) {
                log.info("Node {} underlay: {}", nodeId, hello.underlay());
                desiredStates.refreshWithPeers(nodeId);
            }
            events.publishEvent(new NodeChanged(nodeId));
        }
    }

    @Override
    public void overlayStatusReceived(String nodeId, OverlayStatus status) {
        events.publishEvent(new OverlayStatusReceived(nodeId, status));
    }

    @Override
    public void sessionLeft(String nodeId, long sessionId) {
        if (!WampUris.isValidNodeId(nodeId)) {
            return;
        }
        if (presences.leave(nodeId, sessionId)) {
            touch(nodeId, clock.millis());
            log.info("Node {} left (session {})", nodeId, sessionId);
        } else {
            log.debug("Stale leave of node {} session {}: a newer session holds it", nodeId, sessionId);
        }
    }

    @Override
    public void readingReceived(String nodeId, SensorReading reading) {
        readings.record(nodeId, reading, clock.millis());
        events.publishEvent(new ReadingRecorded(nodeId, reading));
    }

    private void touch(String nodeId, long now) {
        states.updateReported(nodeId, r -> new Reported(r.appliedGeneration(), r.appliedAtMillis(),
                r.protocolVersion(), r.inventory(), now));
    }
}
