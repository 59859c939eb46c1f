package io.civitas.controller.system;

import io.civitas.protocol.ClusterMembers;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

import java.io.IOException;
import java.util.Set;

/**
 * Every {@code /api/**} request needs {@code Authorization: Bearer <admin token>}, except the few that
 * agents and the launcher call before they hold one. Refusals go through the MVC exception handlers so
 * they are the same problem+json as every other error.
 *
 * <p>The caller is recorded as request attribute {@link #CALLER}; roles can hang off it later. TLS is
 * Spring's {@code server.ssl.*} and needs nothing here.
 */
@Component
class ApiTokenFilter extends OncePerRequestFilter {

    static final String CALLER = "civitas.caller";

    /** "METHOD path" of the endpoints that need no token. */
    private static final Set<String> PUBLIC = Set.of(
            "GET /api/v1/agent/bootstrap",
            "POST /api/v1/enroll",
            "GET /api/v1/health",
            "GET " + ClusterMembers.PATH); // agents' discovery: addresses only, see ClusterController

    // Looked up per request, not injected: filters are made while Tomcat starts, and ZooKeeper (behind
    // AdminToken) should come up, or fail with its clear message, in the ordinary bean start-up instead.
    private final ObjectProvider<AdminToken> adminToken;
    private final HandlerExceptionResolver resolver;

    ApiTokenFilter(ObjectProvider<AdminToken> adminToken,
                   @Qualifier("handlerExceptionResolver") HandlerExceptionResolver resolver) {
        this.adminToken = adminToken;
        this.resolver = resolver;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // servletPath + pathInfo is decoded and normalized: "/api/v1/../x" cannot sneak past the check.
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (!(path.equals("/api") || path.startsWith("/api/")) || PUBLIC.contains(request.getMethod() + " " + path)) {
            chain.doFilter(request, response);
            return;
        }
        String token = bearerToken(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            reject(request, response, "this endpoint needs the admin token: send 'Authorization: Bearer <token>'");
        } else if (!adminToken.getObject().matches(token)) {
            reject(request, response, "the bearer token is not valid");
        } else {
            request.setAttribute(CALLER, "admin");
            chain.doFilter(request, response);
        }
    }

    private void reject(HttpServletRequest request, HttpServletResponse response, String detail) {
        resolver.resolveException(request, response, null, ApiException.unauthorized(detail));
    }

    private static String bearerToken(String header) {
        if (header == null || header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
