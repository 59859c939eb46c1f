package io.civitas.controller.southbound;

import io.civitas.controller.system.ControllerIdentity;
import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.OverlayRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/** The southbound as a bean: listening from start-up unless {@code civitas.openflow.enabled=false}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(OpenFlowProperties.class)
class SouthboundConfig {

    @Bean(destroyMethod = "close")
    Southbound southbound(OpenFlowProperties properties, CuratorFramework curator, ControllerIdentity identity) {
        Southbound southbound = new Southbound(properties, curator, identity.id());
        return properties.enabled() ? southbound.start() : southbound;
    }

    /**
     * overlay-net's stores: the application's beans when it has them, else made here on the same Curator
     * client (they hold no state beyond it, so two instances agree).
     */
    @Bean
    GatewayStore gatewayStore(CuratorFramework curator, ObjectProvider<OverlayRegistry> registry,
                              ObjectProvider<AddressAllocator> allocator) {
        OverlayRegistry overlays = registry.getIfAvailable(() -> new OverlayRegistry(curator));
        return new GatewayStore(curator, allocator.getIfAvailable(() -> new AddressAllocator(curator, overlays)));
    }

    @Bean
    VmVteps vmVteps(GatewayStore store) {
        return new VmVteps(store);
    }

    @Bean(destroyMethod = "close")
    GatewayPrograms gatewayPrograms(GatewayStore store, CuratorFramework curator,
                                    ObjectProvider<OverlayRegistry> registry, ObjectProvider<AddressAllocator> allocator,
                                    Southbound southbound,
                                    @Value("${civitas.openflow.gateway-resync:30s}") Duration resync) {
        OverlayRegistry overlays = registry.getIfAvailable(() -> new OverlayRegistry(curator));
        return new GatewayPrograms(store, overlays,
                allocator.getIfAvailable(() -> new AddressAllocator(curator, overlays)), southbound, resync);
    }
}
