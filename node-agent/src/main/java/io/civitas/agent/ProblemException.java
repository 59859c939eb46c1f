package io.civitas.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * A controller answered with an HTTP error. Carries the {@code application/problem+json} {@code title}
 * and {@code detail} when the body has them, because the detail is what an operator needs to read.
 */
final class ProblemException extends IOException {
    private final int status;
    private final String detail;

    private ProblemException(String message, int status, String detail) {
        super(message);
        this.status = status;
        this.detail = detail;
    }

    int status() {
        return status;
    }

    /** The controller's explanation, or the bare status line when it gave none. */
    String detail() {
        return detail;
    }

    /** Builds the exception from a response; {@code what} names the request ("enroll at http://..."). */
    static ProblemException of(String what, int status, String body) {
        String title = null;
        String detail = null;
        try {
            JsonNode json = Json.MAPPER.readTree(body == null ? "" : body);
            if (json != null && json.isObject()) {
                title = json.path("title").isTextual() ? json.path("title").asText() : null;
                detail = json.path("detail").isTextual() ? json.path("detail").asText() : null;
            }
        } catch (IOException notJson) {
            // fall back to the status below
        }
        String explained = detail != null ? detail : title != null ? title : "HTTP " + status;
        String message = what + ": HTTP " + status + (title != null ? " " + title : "")
                + (detail != null ? ": " + detail : "");
        return new ProblemException(message, status, explained);
    }
}
