package io.civitas.controller.city;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.TreeMap;

/**
 * Tells {@link CityEvents} when the policy activation record changes, whichever controller changed it.
 * The znode is the policy package's ({@code policy.PolicyZnodes.ACTIVATION}); only {@code active} is read.
 */
@Component
class PolicyActivationFeed implements AutoCloseable {

    static final String ACTIVATION = "/policy-activation";

    private static final Logger log = LoggerFactory.getLogger(PolicyActivationFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CuratorCache cache;

    PolicyActivationFeed(CuratorFramework zk, CityEvents events) {
        this.cache = CuratorCache.build(zk, ACTIVATION, CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> events.policyActivated(active(now.getData())))
                .forDeletes(gone -> events.policyActivated(Map.of()))
                .build());
        cache.start();
    }

    private static Map<String, Integer> active(byte[] data) {
        Map<String, Integer> active = new TreeMap<>();
        try {
            JsonNode node = JSON.readTree(data == null ? new byte[0] : data);
            if (node != null) {
                node.path("active").properties().forEach(e -> active.put(e.getKey(), e.getValue().asInt()));
            }
        } catch (Exception e) {
            log.warn("Unreadable policy activation record: {}", e.toString());
        }
        return active;
    }

    @Override
    public void close() {
        cache.close();
    }
}
