package io.civitas.controller.node;

import io.civitas.controller.CivitasProperties;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.WampEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Agents are sent to the host they used to reach us, on the WAMP router's real port, unless told otherwise. */
class AgentUrlsTest {

    @Test
    void theWampUrlUsesTheRequestsHostAndTheBoundPort() {
        AgentUrls urls = new AgentUrls(properties(null), endpoint(40123));

        assertThat(urls.wampUrl(request("city.example:8080"))).isEqualTo("ws://city.example:40123/wamp");
        assertThat(urls.wampUrl(request("10.1.2.3"))).isEqualTo("ws://10.1.2.3:40123/wamp");
        assertThat(urls.wampUrl(request("[fd00::1]:8080"))).isEqualTo("ws://[fd00::1]:40123/wamp");
    }

    @Test
    void aConfiguredPublicUrlWins() {
        AgentUrls urls = new AgentUrls(properties("wss://civitas.city.example/wamp"), endpoint(40123));

        assertThat(urls.wampUrl(request("10.1.2.3:8080"))).isEqualTo("wss://civitas.city.example/wamp");
    }

    @Test
    void aRouterNotYetListeningIsUnavailableRatherThanPortMinusOne() {
        AgentUrls urls = new AgentUrls(properties(null), endpoint(-1));

        assertThatThrownBy(() -> urls.wampUrl(request("h:1")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(503));
    }

    private static MockHttpServletRequest request(String host) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/agent/bootstrap");
        request.addHeader("Host", host);
        return request;
    }

    private static CivitasProperties properties(String publicUrl) {
        return new CivitasProperties(Path.of("."), null, 0, Duration.ofSeconds(30), Duration.ofSeconds(15), null,
                Duration.ofHours(24), new CivitasProperties.Wamp(8081, publicUrl),
                new CivitasProperties.Reconcile(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(30),
                        Duration.ofSeconds(30), 2));
    }

    private static WampEndpoint endpoint(int port) {
        return new WampEndpoint() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public String path() {
                return "/wamp";
            }
        };
    }
}
