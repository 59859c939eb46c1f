package io.civitas.controller.cluster;

import io.civitas.controller.system.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.time.Instant;
import java.util.Set;

/**
 * While ZooKeeper is lost ({@link ZooKeeperLink#writable()} false), REST writes under {@code /api/} answer
 * {@code 503} problem+json at once (nothing is half-applied: nothing is tried), and reads answer from the
 * caches with the header {@code Civitas-Stale: true} and {@code Civitas-Stale-Since} (when the link went
 * down). Runs after authentication (an interceptor, not a filter), so a caller without a token still gets 401.
 */
@Configuration(proxyBeanMethods = false)
class QuorumGuard implements HandlerInterceptor, WebMvcConfigurer {

    static final String STALE = "Civitas-Stale";
    static final String STALE_SINCE = "Civitas-Stale-Since";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final ZooKeeperLink link;

    QuorumGuard(ZooKeeperLink link) {
        this.link = link;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (link.writable()) {
            return true;
        }
        if (READS.contains(request.getMethod())) {
            response.setHeader(STALE, "true");
            response.setHeader(STALE_SINCE, Instant.ofEpochMilli(link.sinceMillis()).toString());
            return true;
        }
        throw ApiException.unavailable("this controller has lost its ZooKeeper quorum (connection "
                + link.state() + " since " + Instant.ofEpochMilli(link.sinceMillis()) + "): writes are refused"
                + " until it is back, and nothing was changed; reads answer the last known state, marked"
                + " 'Civitas-Stale: true'. Retry shortly.");
    }
}
