package io.civitas.controller.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.civitas.controller.agent.AgentChannel;
import io.civitas.controller.system.ApiException;
import io.civitas.protocol.Bootstrap;
import io.civitas.protocol.EnrollResponse;
import io.civitas.protocol.Protocol;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The two endpoints an agent calls without the admin token: where to connect, and trading its one-time
 * enrollment token for its own credential.
 */
@RestController
class EnrollmentController {

    private static final Logger log = LoggerFactory.getLogger(EnrollmentController.class);

    /**
     * {@link io.civitas.protocol.EnrollRequest} as received. Unknown fields are let through here (unlike
     * elsewhere): a newer agent may send more, and must hear "incompatible protocol", not "unknown field".
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record EnrollBody(String token, Integer protocolVersion) {}

    private final Enrollments enrollments;
    private final AgentUrls urls;
    private final AgentChannel agents;

    EnrollmentController(Enrollments enrollments, AgentUrls urls, AgentChannel agents) {
        this.enrollments = enrollments;
        this.urls = urls;
        this.agents = agents;
    }

    @GetMapping("/api/v1/agent/bootstrap")
    Bootstrap bootstrap(HttpServletRequest request) {
        return new Bootstrap(Protocol.REALM, urls.wampUrl(request), Protocol.VERSION, Protocol.MIN_SUPPORTED,
                request.getRemoteAddr());
    }

    /**
     * 200 with the credential; 401 for an unknown, used or expired token; 409 for an agent speaking an
     * incompatible protocol, checked first so that such an attempt does not use the token up.
     */
    @PostMapping("/api/v1/enroll")
    EnrollResponse enroll(@RequestBody EnrollBody request, HttpServletRequest http) {
        if (request.protocolVersion() == null) {
            throw ApiException.invalid("protocolVersion", "is required");
        }
        String incompatible = Protocol.incompatibility(request.protocolVersion());
        if (incompatible != null) {
            throw ApiException.conflict("protocolVersion", incompatible);
        }
        if (request.token() == null || request.token().isBlank()) {
            throw ApiException.invalid("token", "is required");
        }
        Enrollments.Enrolled enrolled = enrollments.enroll(request.token().trim());
        // A session still using the replaced credential must not outlive it.
        agents.disconnect(enrolled.nodeId(), "credential replaced by a new enrollment");
        log.info("Node {} enrolled from {}", enrolled.nodeId(), http.getRemoteAddr());
        return new EnrollResponse(enrolled.nodeId(), enrolled.secret(), Protocol.REALM, urls.wampUrl(http));
    }
}
