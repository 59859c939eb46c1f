package io.civitas.controller.system;

import io.civitas.controller.CivitasProperties;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import java.net.InetAddress;

/**
 * This controller's name in the cluster: {@code civitas.controller-id}, else {@code hostname:port}
 * (stable across restarts), else hostname plus a random suffix when the port is ephemeral.
 */
@Component
public class ControllerIdentity {

    private final String id;

    ControllerIdentity(CivitasProperties properties, Environment environment) {
        if (StringUtils.hasText(properties.controllerId())) {
            this.id = properties.controllerId().trim();
        } else {
            int port = environment.getProperty("server.port", Integer.class, 8080);
            this.id = hostname() + ":" + (port > 0 ? Integer.toString(port) : Secrets.randomHex(8));
        }
    }

    public String id() {
        return id;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return StringUtils.hasText(env) ? env : "controller";
        }
    }
}
