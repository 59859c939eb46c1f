package io.civitas.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * The agent's command line. Exit codes: 1 when a controller refused the node
 * (enrollment or protocol), 2 for bad arguments or configuration.
 */
@Command(name = "civitas-agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"The Civitas node agent: enrolls this node with a controller, keeps a WAMP session to it, "
                + "applies the desired state it pushes and publishes sensor telemetry.",
                "Options override the --config file (keys: controllers, discovery, ca, token, state-dir, sensors, datapath, underlay-address, underlay-device, behind-nat)."})
public final class AgentMain implements Callable<Integer> {
    static final int EXIT_REFUSED = 1;
    static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

    @Spec
    private CommandSpec spec;

    @Option(names = "--controller", paramLabel = "URL", split = ",",
            description = "Controller base URL(s), tried in order, e.g. http://controller:8080")
    private List<String> controllers;

    @Option(names = "--discovery", paramLabel = "URL",
            description = "Where to ask for the live controllers (a controller's base URL or its /api/v1/cluster/members); "
                    + "asked at start and whenever the agent loses its controller, then tried in random order")
    private String discovery;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "PEM file of the CA certificate(s) that signed the controllers' TLS certificates, for https:// "
                    + "controller URLs (default: the JVM's trusted CAs)")
    private Path ca;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "One-time enrollment token; needed only until the credential is stored")
    private String token;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with the same settings")
    private Path configFile;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the credential and applied state live (default: ~/.civitas-agent)")
    private Path stateDir;

    @Option(names = "--sensors", paramLabel = "NAME[,NAME...]",
            description = "Simulated sensors this node has (default: all of temperature, pm25, no2, parking)")
    private String sensors;

    @Option(names = "--datapath", paramLabel = "MODE",
            description = "Overlay datapath: auto (default), kernel, userspace or none")
    private String datapath;

    @Option(names = "--underlay-address", paramLabel = "IPV4",
            description = "Address this node's VXLAN endpoint sends from (default: the one that reaches the controller)")
    private String underlayAddress;

    @Option(names = "--underlay-device", paramLabel = "DEV", description = "Device VXLAN packets leave by")
    private String underlayDevice;

    @Option(names = "--behind-nat", paramLabel = "auto|true|false",
            description = "Whether this node is behind NAT (default auto: asks the controller which address it sees)")
    private String behindNat;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging")
    private boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line of a fresh agent command, as main runs it. */
    static CommandLine commandLine() {
        return Cli.of(new AgentMain());
    }

    @Override
    public Integer call() {
        Logging.configure(verbose);
        AgentConfig config = resolveConfig();
        NodeAgent agent = new NodeAgent(config);
        try {
            agent.start();
        } catch (AgentException e) {
            spec.commandLine().getErr().println("civitas-agent: " + e.getMessage());
            return exitCode(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "civitas-agent-shutdown"));
        try {
            agent.termination().join();
            return 0;
        } catch (CompletionException e) {
            String message = e.getCause() == null ? e.toString() : e.getCause().getMessage();
            spec.commandLine().getErr().println("civitas-agent: " + message);
            return e.getCause() instanceof AgentException failure ? exitCode(failure) : EXIT_REFUSED;
        }
    }

    /** Defaults, then the --config file, then the options given here; a bad value is a usage error. */
    AgentConfig resolveConfig() {
        Map<String, String> options = new HashMap<>();
        options.put(AgentConfig.KEY_CONTROLLERS, controllers == null ? null : String.join(",", controllers));
        options.put(AgentConfig.KEY_DISCOVERY, discovery);
        options.put(AgentConfig.KEY_TOKEN, token);
        options.put(AgentConfig.KEY_CA, ca == null ? null : ca.toString());
        options.put(AgentConfig.KEY_STATE_DIR, stateDir == null ? null : stateDir.toString());
        options.put(AgentConfig.KEY_SENSORS, sensors);
        options.put(OverlayConfig.KEY_DATAPATH, datapath);
        options.put(OverlayConfig.KEY_UNDERLAY_ADDRESS, underlayAddress);
        options.put(OverlayConfig.KEY_UNDERLAY_DEVICE, underlayDevice);
        options.put(OverlayConfig.KEY_BEHIND_NAT, behindNat);
        try {
            if (configFile == null) {
                return AgentConfig.fromProperties(new Properties(), options);
            }
            if (!Files.isReadable(configFile)) {
                throw new ParameterException(spec.commandLine(), "--config: cannot read " + configFile);
            }
            return AgentConfig.load(configFile, options);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad setting " + e.getMessage()
                    + (e.getMessage().startsWith(AgentConfig.KEY_CONTROLLERS) ? " (--controller URL)" : ""));
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--config: cannot read " + configFile + ": " + e);
        }
    }

    private static int exitCode(AgentException e) {
        return e.kind() == AgentException.Kind.CONFIGURATION ? EXIT_USAGE : EXIT_REFUSED;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"civitas-agent " + InventoryCollector.agentVersion()};
        }
    }
}
