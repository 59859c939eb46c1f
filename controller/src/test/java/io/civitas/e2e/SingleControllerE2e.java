package io.civitas.e2e;

import io.civitas.agent.AgentConfig;
import io.civitas.agent.NodeAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** One controller (embedded ZooKeeper in a temporary folder) and the real agents a test starts; all stopped after it. */
abstract class SingleControllerE2e {

    @TempDir
    Path tmp;
    ControllerProcess controller;
    private final List<NodeAgent> agents = new ArrayList<>();

    @AfterEach
    void stopAll() {
        agents.forEach(NodeAgent::close);
        if (controller != null) {
            controller.close();
        }
    }

    /** Starts an agent with this enrollment token, its state in {@code tmp/dir}, quick reconnects. */
    NodeAgent agent(String token, String dir) {
        return agent(token, dir, UnaryOperator.identity());
    }

    NodeAgent agent(String token, String dir, UnaryOperator<AgentConfig> settings) {
        NodeAgent agent = new NodeAgent(settings.apply(AgentConfig.of(List.of(controller.base()), token, tmp.resolve(dir))
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))));
        agents.add(agent);
        agent.start();
        return agent;
    }
}
