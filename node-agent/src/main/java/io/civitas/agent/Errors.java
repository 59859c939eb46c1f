package io.civitas.agent;

import com.fasterxml.jackson.databind.JsonNode;
import ws.wamp.jawampa.ApplicationError;

import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/** One-line explanations of failures, for logs an operator reads. */
final class Errors {
    /**
     * Error URI for an apply that failed on the agent's side (e.g. a full disk). Not in the protocol module
     * yet: it is the one agent error the contract does not name.
     */
    static final String APPLY_FAILED = io.civitas.protocol.WampUris.ERROR_APPLY_FAILED;

    private Errors() {}

    static String describe(Throwable error) {
        if (error instanceof ApplicationError wamp) {
            StringBuilder text = new StringBuilder(wamp.uri());
            if (wamp.arguments() != null && wamp.arguments().size() > 0) {
                JsonNode first = wamp.arguments().get(0);
                text.append(": ").append(first.isTextual() ? first.asText() : first.toString());
            } else if (wamp.keywordArguments() != null && wamp.keywordArguments().size() > 0) {
                text.append(": ").append(wamp.keywordArguments());
            }
            return text.toString();
        }
        if (error instanceof ConnectException) {
            return "connection refused";
        }
        if (error instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (error instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
