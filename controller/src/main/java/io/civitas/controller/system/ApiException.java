package io.civitas.controller.system;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import java.util.List;

/**
 * A refusal the client can act on: rendered as an RFC 9457 problem with this status, title and detail,
 * plus {@code field}/{@code errors} when fields are at fault. Never carries a stack trace to the client.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final List<FieldProblem> errors;
    private final HttpHeaders headers;

    private ApiException(HttpStatus status, String title, String detail, List<FieldProblem> errors,
                         HttpHeaders headers) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.headers = headers;
    }

    public static ApiException invalid(List<FieldProblem> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid: " + String.join("; ",
                        errors.stream().map(e -> e.field() + ": " + e.message()).toList());
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid request", detail, errors, HttpHeaders.EMPTY);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldProblem(field, message)));
    }

    public static ApiException notFound(String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, "Not found", detail, List.of(), HttpHeaders.EMPTY);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", detail, List.of(), HttpHeaders.EMPTY);
    }

    public static ApiException conflict(String field, String detail) {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", detail,
                List.of(new FieldProblem(field, detail)), HttpHeaders.EMPTY);
    }

    /** 401 with {@code WWW-Authenticate: Bearer}, as RFC 6750 asks. */
    public static ApiException unauthorized(String detail) {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"civitas\"");
        return new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized", detail, List.of(), headers);
    }

    /** 401 for a credential a node presents (enrollment token): no bearer challenge applies. */
    public static ApiException refused(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized", detail, List.of(), HttpHeaders.EMPTY);
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable", detail, List.of(),
                HttpHeaders.EMPTY);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<FieldProblem> errors() {
        return errors;
    }

    public HttpHeaders headers() {
        return headers;
    }
}
