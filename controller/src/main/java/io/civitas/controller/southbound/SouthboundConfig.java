package io.civitas.controller.southbound;

import io.civitas.controller.system.ControllerIdentity;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The southbound as a bean: listening from start-up unless {@code civitas.openflow.enabled=false}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(OpenFlowProperties.class)
class SouthboundConfig {

    @Bean(destroyMethod = "close")
    Southbound southbound(OpenFlowProperties properties, CuratorFramework curator, ControllerIdentity identity) {
        Southbound southbound = new Southbound(properties, curator, identity.id());
        return properties.enabled() ? southbound.start() : southbound;
    }
}
