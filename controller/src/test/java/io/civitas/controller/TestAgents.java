package io.civitas.controller;

import io.civitas.controller.system.WampEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Test stand-ins for what the WAMP package provides, marked {@link Primary} so they win over the real
 * beans when those are present too: agents the test controls, a fixed WAMP port, a movable clock.
 *
 * <p>Deliberately not a {@code @Configuration}: component scanning must never find it, so a test that
 * starts the real controller in-process (e2e) gets real agents. Use it with {@code @Import} or as a source.
 */
public class TestAgents {

    public static final int WAMP_PORT = 18081;

    @Bean
    @Primary
    FakeAgentChannel fakeAgentChannel() {
        return new FakeAgentChannel();
    }

    @Bean
    @Primary
    WampEndpoint testWampEndpoint() {
        return new WampEndpoint() {
            @Override
            public int port() {
                return WAMP_PORT;
            }

            @Override
            public String path() {
                return "/wamp";
            }
        };
    }

    @Bean
    @Primary
    TestClock testClock() {
        return new TestClock();
    }
}
