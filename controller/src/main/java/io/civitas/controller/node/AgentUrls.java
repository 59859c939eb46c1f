package io.civitas.controller.node;

import io.civitas.controller.CivitasProperties;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.WampEndpoint;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * The WAMP URL agents are told to dial: {@code civitas.wamp.public-url} when set (NAT, proxies), else the
 * host the agent used to reach this REST API, with the WAMP router's actual port and path.
 */
@Component
public class AgentUrls {

    private final CivitasProperties properties;
    private final WampEndpoint wamp;

    AgentUrls(CivitasProperties properties, WampEndpoint wamp) {
        this.properties = properties;
        this.wamp = wamp;
    }

    public String wampUrl(HttpServletRequest request) {
        if (StringUtils.hasText(properties.wamp().publicUrl())) {
            return properties.wamp().publicUrl().trim();
        }
        int port = wamp.port();
        if (port <= 0) {
            throw ApiException.unavailable("the WAMP endpoint is not listening yet; try again shortly");
        }
        return wamp.scheme() + "://" + host(request) + ":" + port + wamp.path();
    }

    /** The Host header without its port; IPv6 literals keep their brackets. */
    static String host(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.HOST);
        if (!StringUtils.hasText(header)) {
            return request.getServerName();
        }
        header = header.trim();
        if (header.startsWith("[")) {
            int end = header.indexOf(']');
            return end > 0 ? header.substring(0, end + 1) : request.getServerName();
        }
        int colon = header.indexOf(':');
        return colon < 0 ? header : header.substring(0, colon);
    }
}
