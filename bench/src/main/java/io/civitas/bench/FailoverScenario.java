package io.civitas.bench;

import io.civitas.bench.sim.CityAdmin;
import io.civitas.bench.sim.ProcessCluster;
import io.civitas.bench.sim.SimAgent;
import io.civitas.bench.sim.SimFleet;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.civitas.bench.sim.ProcessCluster.await;

/**
 * {@code bench/run failover}: 3 ZooKeeper servers and 3 controllers, each its own JVM; 1,000 simulated agents
 * ({@link SimAgent}: the real protocol over real WebSockets) spread over the controllers. A new desired state is
 * written for every node of one controller, that controller is killed with SIGKILL right after, and the time is
 * measured from the kill until every agent has a session on a live controller and has applied its node's
 * latest desired generation. The baseline is the controllers' ZooKeeper session timeout.
 */
final class FailoverScenario implements Scenario {

    static final String NAME = "failover";
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);
    static final int TICK_MILLIS = 200;

    @Override
    public String description() {
        return "kill -9 one of 3 controllers under 1,000 simulated agents: time until all re-homed and converged";
    }

    @Override
    public List<Figure> run(Options options, Consumer<String> progress) throws Exception {
        int agentCount = Integer.parseInt(System.getenv().getOrDefault("BENCH_AGENTS", "1000"));
        Path dir = Files.createTempDirectory("civitas-bench-failover");
        progress.accept("cluster data and logs in " + dir);
        try (ProcessCluster cluster = new ProcessCluster(dir); SimFleet fleet = new SimFleet(2)) {
            String zk = cluster.startZooKeeper(3, TICK_MILLIS);
            progress.accept("ZooKeeper quorum up at " + zk + " (tickTime " + TICK_MILLIS + " ms)");
            ProcessCluster.Controller first = cluster.startController("c1", zk, SESSION_TIMEOUT, "512m");
            cluster.awaitUp(first, Duration.ofSeconds(180));
            ProcessCluster.Controller c2 = cluster.startController("c2", zk, SESSION_TIMEOUT, "512m");
            ProcessCluster.Controller c3 = cluster.startController("c3", zk, SESSION_TIMEOUT, "512m");
            cluster.awaitUp(c2, Duration.ofSeconds(180));
            cluster.awaitUp(c3, Duration.ofSeconds(180));
            List<ProcessCluster.Controller> controllers = cluster.controllers();
            String token = Files.readString(first.dataDir().resolve("admin-token")).trim();
            CityAdmin admin = new CityAdmin(first.base(), token);
            progress.accept("3 controllers UP (session timeout " + SESSION_TIMEOUT.toMillis() + " ms); enrolling "
                    + agentCount + " nodes");
            List<CityAdmin.Enrolled> nodes = admin.enroll("sim", agentCount, 4);
            List<URI> wamp = controllers.stream().map(ProcessCluster.Controller::wampUrl).toList();
            for (int i = 0; i < nodes.size(); i++) {
                fleet.start(nodes.get(i).nodeId(), nodes.get(i).secret(), wamp, i);
            }
            await("all agents joined", Duration.ofSeconds(300),
                    () -> fleet.agents().stream().allMatch(SimAgent::joined));
            progress.accept(agentCount + " agents joined");

            ProcessCluster.Controller victim = c2;
            Map<String, Long> want = new HashMap<>();
            List<SimAgent> victims = fleet.agents().stream().filter(a -> a.controller().equals(victim.wampUrl())).toList();
            CityAdmin survivor = new CityAdmin(c3.base(), token);
            for (SimAgent a : victims) {
                want.put(a.nodeId(), survivor.putLabels(a.nodeId(), "round", "failover"));
            }
            long killed = System.nanoTime();
            ProcessCluster.kill(victim.process());
            progress.accept("killed " + victim.id() + " (held " + victims.size() + " agents, each with a new desired state)");
            long[] rejoinedAt = {0};
            await("all agents converged", Duration.ofSeconds(300), () -> {
                boolean allJoined = fleet.agents().stream()
                        .allMatch(a -> a.joined() && !a.controller().equals(victim.wampUrl()));
                if (allJoined && rejoinedAt[0] == 0) {
                    rejoinedAt[0] = System.nanoTime();
                }
                return allJoined && victims.stream().allMatch(a -> a.appliedGeneration() >= want.get(a.nodeId()));
            });
            long converged = System.nanoTime();
            double convergedMs = (converged - killed) / 1e6;
            double rejoinedMs = (rejoinedAt[0] - killed) / 1e6;
            progress.accept(String.format("re-homed in %.0f ms, converged in %.0f ms after the kill", rejoinedMs, convergedMs));
            String baselineIs = "ZooKeeper session timeout of the controllers (" + SESSION_TIMEOUT.toMillis()
                    + " ms, tickTime " + TICK_MILLIS + " ms); " + agentCount + " agents, " + victims.size() + " re-homed";
            return List.of(
                    Figure.against(NAME, "kill_to_converged", convergedMs, SESSION_TIMEOUT.toMillis(), "ms", baselineIs),
                    Figure.against(NAME, "kill_to_rehomed", rejoinedMs, SESSION_TIMEOUT.toMillis(), "ms", baselineIs));
        }
    }
}
