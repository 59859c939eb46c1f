package io.civitas.controller.system;

import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

import java.util.List;

/**
 * Every error leaves as RFC 9457 {@code application/problem+json}: title, status, detail, and
 * {@code field} plus {@code errors: [{field, message}]} when fields are at fault. Spring MVC's own
 * exceptions (405, 415, 404 for unknown paths ...) are rendered by the base class the same way.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> refused(ApiException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        problem.setTitle(e.title());
        return problem(problem, e.errors(), e.headers());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (zooKeeperUnreachable(e)) {
            log.warn("ZooKeeper unreachable while serving a request: {}", e.toString());
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                    "the controller has lost ZooKeeper; nothing was changed, try again shortly");
            problem.setTitle("Service unavailable");
            return problem(problem, List.of(), HttpHeaders.EMPTY);
        }
        String ref = Secrets.randomHex(8);
        log.error("Unexpected error (ref {})", ref, e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "unexpected error; the controller log has the details under ref " + ref);
        problem.setTitle("Internal error");
        return problem(problem, List.of(), HttpHeaders.EMPTY);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        JacksonException jackson = JsonProblems.jacksonCause(e);
        ProblemDetail problem;
        List<FieldProblem> errors = List.of();
        if (jackson == null) {
            String detail = e.getMessage() != null && e.getMessage().startsWith("Required request body is missing")
                    ? "the request needs a JSON body" : "the request body is not readable JSON";
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        } else {
            String field = JsonProblems.field(jackson);
            String message = JsonProblems.message(jackson);
            String where = JsonProblems.where(jackson);
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    field == null ? message + where : field + ": " + message + where);
            if (field != null) {
                errors = List.of(new FieldProblem(field, message));
            }
        }
        problem.setTitle("Malformed request body");
        return new ResponseEntity<>(problem(problem, errors, HttpHeaders.EMPTY).getBody(),
                problemHeaders(HttpHeaders.EMPTY), HttpStatus.BAD_REQUEST);
    }

    private static ResponseEntity<ProblemDetail> problem(ProblemDetail problem, List<FieldProblem> errors,
                                                         HttpHeaders extra) {
        if (!errors.isEmpty()) {
            problem.setProperty("field", errors.get(0).field());
            problem.setProperty("errors", errors);
        }
        return new ResponseEntity<>(problem, problemHeaders(extra), problem.getStatus());
    }

    private static HttpHeaders problemHeaders(HttpHeaders extra) {
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(extra);
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return headers;
    }

    private static boolean zooKeeperUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KeeperException.ConnectionLossException
                    || t instanceof KeeperException.SessionExpiredException
                    || t instanceof KeeperException.OperationTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
