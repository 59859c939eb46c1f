package io.civitas.controller.overlay;

import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.OverlayRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** overlay-net's ZooKeeper stores, on the controller's Curator client (namespace /civitas). */
@Configuration
class OverlayStores {

    @Bean
    OverlayRegistry overlayRegistry(CuratorFramework zk) {
        return new OverlayRegistry(zk);
    }

    @Bean
    AddressAllocator addressAllocator(CuratorFramework zk, OverlayRegistry registry) {
        return new AddressAllocator(zk, registry);
    }
}
