package io.civitas.agent;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A whole demo city in one JVM: creates the demo nodes through the controller's REST API (once: nodes are
 * found again by name), gives each new node its sampling plan, then runs one {@link NodeAgent} per node,
 * each with its own state directory and its own WAMP session over its own WebSocket. Runs until Ctrl-C.
 */
@Command(name = "civitas-demo-city", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        sortOptions = false, description = "Creates the Messina demo city at a controller and runs its node agents.")
public final class DemoCity implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--controller", paramLabel = "URL", required = true,
            description = "Controller base URL, e.g. http://localhost:8080")
    private URI controller;

    @Option(names = "--more-controllers", paramLabel = "URL", split = ",",
            description = "The other controllers of a cluster, comma separated: each agent knows them all, and the"
                    + " agents start spread over them")
    private List<URI> moreControllers = List.of();

    @Option(names = "--admin-token-file", paramLabel = "FILE", required = true,
            description = "File holding the controller's admin token")
    private Path adminTokenFile;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "One sub-directory per node, reused by the next run (default: ~/.civitas-demo-city)")
    private Path stateDir = Path.of(System.getProperty("user.home"), ".civitas-demo-city");

    @Option(names = "--boards", paramLabel = "N", description = "Number of boards (default: 5)")
    private int boards = 5;

    @Option(names = "--namespaces", description = "Put each node in its own network namespace (needs root), so the "
            + "demo's overlays really forward: a ping across the city works")
    private boolean namespaces;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging")
    private boolean verbose;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, NodeAgent> agents = new LinkedHashMap<>();
    private final Map<String, String> nodeIds = new LinkedHashMap<>();
    private DemoNetwork network;

    /** The demo's overlays: the policies' two (members come from policies once activated) and one of every node. */
    static final List<Object[]> OVERLAYS = List.of(
            new Object[] {"city-net", 99, "10.99.0.0/24"},
            new Object[] {"env-net", 100, "10.100.0.0/24"},
            new Object[] {"parking-net", 101, "10.101.0.0/24"});

    public static void main(String[] args) {
        System.exit(Cli.of(new DemoCity()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure(verbose);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String adminToken = readAdminToken();
        if (boards < 1 || boards > 500) {
            throw new ParameterException(spec.commandLine(), "--boards: between 1 and 500, got " + boards);
        }
        try {
            AgentConfig.of(List.of(controller), null, stateDir); // validates the URL as the agent does
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--controller: " + e.getMessage());
        }
        try {
            if (namespaces) {
                network = new DemoNetwork().create(DemoCityPlan.of(boards).size());
            }
            AdminApi api = new AdminApi(controller, adminToken);
            prepare(api, out, err);
            try {
                overlays(api, out);
            } catch (ProblemException e) {
                err.println("overlays not set up: " + e.getMessage()); // a controller without the overlays API
            }
        } catch (IOException e) {
            err.println("civitas-demo-city: " + (e instanceof ProblemException ? e.getMessage()
                    : "controller " + controller + ": " + Errors.describe(e)));
            return AgentMain.EXIT_REFUSED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "civitas-demo-city-shutdown"));
        synchronized (agents) {
            if (stopped.getCount() == 0) {
                return 0;
            }
            agents.forEach((name, agent) -> {
                try {
                    agent.start();
                } catch (AgentException e) {
                    err.printf("%s cannot start: %s%n", name, e.getMessage());
                }
            });
        }
        out.printf("%d agents started; Ctrl-C to stop%n", agents.size());
        out.flush();
        report(out);
        return 0;
    }

    /** What Ctrl-C does: closes every agent (each says GOODBYE) and lets {@link #call()} return. Idempotent. */
    public void stop() {
        synchronized (agents) {
            agents.values().forEach(NodeAgent::close);
        }
        if (network != null) {
            network.close();
        }
        stopped.countDown();
    }

    /** Creates what is missing and builds (not yet starts) one agent per node that can run. */
    private void prepare(AdminApi api, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        Map<String, JsonNode> existing = new HashMap<>();
        for (JsonNode node : api.nodes()) {
            existing.put(node.path("name").asText(), node);
        }
        List<DemoCityPlan.DemoNode> plan = DemoCityPlan.of(boards);
        outlineDistricts(api, plan, out, err);
        for (int index = 0; index < plan.size(); index++) {
            DemoCityPlan.DemoNode node = plan.get(index);
            Path dir = stateDir.resolve(node.name());
            Path credential = dir.resolve("credential.json");
            String token = null;
            if (existing.containsKey(node.name())) {
                if (!Files.exists(credential)) {
                    // Known there, forgotten here (state dir wiped): enroll again with a fresh token.
                    token = api.reissueEnrollment(existing.get(node.name()).path("id").asText());
                    out.printf("%s: no credential in %s; enrolling again%n", node.name(), dir);
                }
            } else {
                if (Files.exists(credential)) {
                    out.printf("%s: the controller no longer knows it; forgetting its old credential%n", node.name());
                    Files.delete(credential);
                    Files.deleteIfExists(dir.resolve("applied.json"));
                }
                JsonNode created = api.createNode(node);
                token = created.path("enrollmentToken").asText(null);
                String id = created.path("id").asText(null);
                existing.put(node.name(), created);
                if (token == null || id == null) {
                    throw new IOException("create node " + node.name() + ": answer has no id/enrollmentToken: " + created);
                }
                api.putDesired(id, node.labels(), node.sampling());
                out.printf("created %-26s %-5s %s at %.4f,%.4f%n", node.name(), node.kind(), new TreeMap<>(node.labels()),
                        node.lat(), node.lon());
            }
            nodeIds.put(node.name(), existing.containsKey(node.name())
                    ? existing.get(node.name()).path("id").asText() : null);
            List<URI> known = new java.util.ArrayList<>(List.of(controller));
            known.addAll(moreControllers);
            java.util.Collections.rotate(known, -(agents.size() % known.size())); // spread over a cluster
            AgentConfig config = new AgentConfig(known, token, dir, node.sensors(), null, null);
            // Without namespaces the demo's agents share this host: they record their overlays, no datapath.
            config = config.withOverlays(namespaces
                    ? OverlayConfig.AUTO.withNetns(DemoNetwork.namespace(index), DemoNetwork.underlay(index))
                    : OverlayConfig.AUTO.withDatapath("none"));
            synchronized (agents) {
                agents.put(node.name(), new NodeAgent(config));
            }
        }
        out.flush();
    }

    /** Creates the demo's overlays where missing and puts every node in city-net; says how to ping across it. */
    private void overlays(AdminApi api, PrintWriter out) throws IOException, InterruptedException {
        java.util.Set<String> present = new java.util.HashSet<>();
        api.overlays().forEach(o -> present.add(o.path("name").asText()));
        for (Object[] o : OVERLAYS) {
            if (!present.contains((String) o[0])) {
                api.createOverlay((String) o[0], (Integer) o[1], (String) o[2]);
                out.printf("created overlay %s (VNI %d, %s)%n", o[0], o[1], o[2]);
            }
        }
        Map<String, String> addresses = new LinkedHashMap<>();
        for (Map.Entry<String, String> node : nodeIds.entrySet()) {
            addresses.put(node.getKey(), api.addMember("city-net", node.getValue()).path("address").asText());
        }
        if (namespaces && addresses.size() > 1) {
            List<String> names = new ArrayList<>(addresses.keySet());
            out.printf("overlay city-net spans the %d nodes, each in its own network namespace; try:%n", names.size());
            out.printf("  sudo ip netns exec %s ping %s    # %s -> %s%n", DemoNetwork.namespace(0),
                    addresses.get(names.get(names.size() - 1)), names.get(0), names.get(names.size() - 1));
        } else if (!namespaces) {
            out.println("overlays are planned, not programmed: run the demo as root to put the nodes in network "
                    + "namespaces where they forward");
        }
    }

    /**
     * Stores the outlines of the plan's districts for the map, once: outlines already there (an earlier
     * run's, or an operator's) are left alone. A controller without the districts API only gets a warning.
     */
    private static void outlineDistricts(AdminApi api, List<DemoCityPlan.DemoNode> plan, PrintWriter out,
                                         PrintWriter err) throws IOException, InterruptedException {
        try {
            if (api.districts().path("districts").size() > 0) {
                return;
            }
            List<DemoCityPlan.District> districts = DemoCityPlan.districts(plan);
            api.putDistricts(districts);
            out.printf("outlined %d districts%n", districts.size());
        } catch (ProblemException e) {
            err.println("district outlines not stored: " + e.getMessage());
        }
    }

    /** Prints a line whenever an agent comes online or drops, until stopped. */
    private void report(PrintWriter out) throws InterruptedException {
        Map<String, Boolean> online = new HashMap<>();
        List<String> failed = new ArrayList<>();
        do {
            for (Map.Entry<String, NodeAgent> entry : agents.entrySet()) {
                NodeAgent agent = entry.getValue();
                boolean now = agent.isConnected();
                if (now != online.getOrDefault(entry.getKey(), false)) {
                    out.printf(now ? "online   %-26s node %s via %s%n" : "offline  %-26s node %s%n",
                            entry.getKey(), agent.nodeId(), agent.controller());
                    out.flush();
                    online.put(entry.getKey(), now);
                }
                Throwable failure = agent.termination().handle((ok, error) -> error).getNow(null);
                if (failure != null && !failed.contains(entry.getKey())) {
                    failed.add(entry.getKey());
                    out.printf("stopped  %-26s %s%n", entry.getKey(), failure.getMessage());
                    out.flush();
                }
            }
        } while (!stopped.await(200, TimeUnit.MILLISECONDS));
    }

    private String readAdminToken() {
        try {
            String token = Files.readString(adminTokenFile, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--admin-token-file: " + adminTokenFile + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--admin-token-file: cannot read " + adminTokenFile);
        }
    }
}
