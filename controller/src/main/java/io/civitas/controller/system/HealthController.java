package io.civitas.controller.system;

import org.apache.curator.framework.CuratorFramework;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/health}: public, no secrets; the launcher waits on it. 503 while ZooKeeper is lost. */
@RestController
class HealthController {

    record Health(String status, String controllerId, String zookeeper) {}

    private final CuratorFramework zk;
    private final ControllerIdentity identity;

    HealthController(CuratorFramework zk, ControllerIdentity identity) {
        this.zk = zk;
        this.identity = identity;
    }

    @GetMapping("/api/v1/health")
    ResponseEntity<Health> health() {
        boolean connected = zk.getZookeeperClient().isConnected();
        Health health = new Health(connected ? "UP" : "DOWN", identity.id(), connected ? "CONNECTED" : "DISCONNECTED");
        return ResponseEntity.status(connected ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(health);
    }
}
