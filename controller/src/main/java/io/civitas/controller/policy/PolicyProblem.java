package io.civitas.controller.policy;

import io.civitas.policy.PolicyError;
import org.springframework.http.HttpStatus;

import java.util.List;

/**
 * A policy refused for what it says rather than how it was sent: compile errors (422 with
 * {@code errors: [{file, line, column, message}]}), a runtime failure over the live facts (422: a loop, a
 * conflict), or an oversized source (413 naming the limit). Rendered by {@link PolicyProblemHandler}.
 */
final class PolicyProblem extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final List<PolicyError> errors;

    private PolicyProblem(HttpStatus status, String title, String detail, List<PolicyError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    static PolicyProblem compile(List<PolicyError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).toString()
                : errors.size() + " errors: " + String.join("; ", errors.stream().map(PolicyError::toString).toList());
        return new PolicyProblem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid policy", detail, errors);
    }

    static PolicyProblem runtime(String message) {
        return new PolicyProblem(HttpStatus.UNPROCESSABLE_CONTENT, "Policy cannot be evaluated", message, List.of());
    }

    static PolicyProblem tooLarge(String detail) {
        return new PolicyProblem(HttpStatus.CONTENT_TOO_LARGE, "Policy too large", detail, List.of());
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }

    List<PolicyError> errors() {
        return errors;
    }
}
