package io.civitas.agent;

import io.civitas.protocol.EnrollRequest;
import io.civitas.protocol.EnrollResponse;
import io.civitas.protocol.Protocol;
import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;

/**
 * Trades the one-time enrollment token for the node's credential and stores it before anything else,
 * since the token cannot be used twice. A refusal (401 wrong/expired/used token, 409 incompatible
 * protocol) is final; an unreachable controller is not.
 */
final class Enrollment {
    private static final Logger log = LoggerFactory.getLogger(Enrollment.class);

    private final ControllerHttp http;
    private final CredentialStore store;

    Enrollment(ControllerHttp http, CredentialStore store) {
        this.http = http;
        this.store = store;
    }

    Credential enroll(URI controller, String token) throws IOException, InterruptedException {
        EnrollResponse response;
        try {
            response = http.enroll(controller, new EnrollRequest(token, Protocol.VERSION));
        } catch (ProblemException e) {
            if (e.status() == 401) {
                throw new AgentException(AgentException.Kind.ENROLLMENT_REFUSED,
                        "controller " + controller + " refused the enrollment token: " + e.detail());
            }
            if (e.status() == 409) {
                throw new AgentException(AgentException.Kind.INCOMPATIBLE_PROTOCOL,
                        "controller " + controller + " refused this agent's protocol: " + e.detail());
            }
            throw e;
        }
        if (!WampUris.isValidNodeId(response.nodeId()) || response.secret() == null) {
            throw new IOException("enroll at " + controller + ": answer has no valid nodeId/secret");
        }
        Credential credential = new Credential(response.nodeId(), response.secret(),
                response.realm() == null ? Protocol.REALM : response.realm());
        try {
            store.save(credential);
        } catch (IOException e) {
            // The token is spent: retrying cannot help, an operator must fix the disk and issue a new token.
            throw new AgentException(AgentException.Kind.CONFIGURATION, "enrolled as node " + credential.nodeId()
                    + " but could not store " + store.file() + ": " + e.getMessage(), e);
        }
        log.info("Enrolled at {} as node {}; credential stored in {}", controller, credential.nodeId(), store.file());
        return credential;
    }
}
