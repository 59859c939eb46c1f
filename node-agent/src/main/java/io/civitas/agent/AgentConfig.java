package io.civitas.agent;

import io.civitas.protocol.ClusterMembers;
import io.civitas.protocol.Sensors;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * How an agent runs: which controllers it may talk to (tried in list order) or where it asks for the live ones
 * ({@code discovery}: a controller's {@code GET /api/v1/cluster/members}), the one-time enrollment
 * token (needed only until a credential is stored), where it keeps its state, which simulated sensors
 * the node has, and how it backs off between connection attempts.
 *
 * <p>Settings come in layers: built-in defaults, then a properties file, then the command line. The file
 * and the command line use the same keys ({@link #KEY_CONTROLLERS} ...), so
 * {@link #fromProperties(Properties, Map)} serves both; a bad value is an {@link IllegalArgumentException}
 * whose message starts with the key.
 */
public record AgentConfig(List<URI> controllers, String enrollmentToken, Path stateDir, Set<String> sensors,
                          Duration initialBackoff, Duration maxBackoff, OverlayConfig overlays, URI discovery,
                          Path trustedCa) {

    public static final String KEY_CONTROLLERS = "controllers";
    public static final String KEY_DISCOVERY = "discovery";
    public static final String KEY_TOKEN = "token";
    public static final String KEY_STATE_DIR = "state-dir";
    public static final String KEY_SENSORS = "sensors";
    public static final String KEY_BACKOFF_INITIAL = "backoff-initial-ms";
    public static final String KEY_BACKOFF_MAX = "backoff-max-ms";
    /** PEM file of the CA certificates that sign the controllers' TLS certificates (default: the JVM's own). */
    public static final String KEY_CA = "ca";

    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    public AgentConfig {
        controllers = controllers == null ? List.of() : controllers;
        if (controllers.isEmpty() && discovery == null) {
            throw new IllegalArgumentException(KEY_CONTROLLERS + ": at least one controller URL (or a "
                    + KEY_DISCOVERY + " URL) is needed");
        }
        controllers.forEach(uri -> checkHttpUrl(KEY_CONTROLLERS, uri));
        controllers = List.copyOf(controllers);
        if (discovery != null) {
            checkHttpUrl(KEY_DISCOVERY, discovery);
            String path = discovery.getPath();
            if (path == null || path.isEmpty() || path.equals("/")) { // a controller's base URL: its members endpoint
                discovery = ControllerHttp.resolve(discovery, ClusterMembers.PATH);
            }
        }
        enrollmentToken = enrollmentToken == null || enrollmentToken.isBlank() ? null : enrollmentToken.trim();
        if (stateDir == null) {
            throw new IllegalArgumentException(KEY_STATE_DIR + ": missing");
        }
        sensors = sensors == null ? Sensors.KNOWN.keySet() : sensors;
        for (String sensor : sensors) {
            if (!Sensors.KNOWN.containsKey(sensor)) {
                throw new IllegalArgumentException(KEY_SENSORS + ": unknown sensor '" + sensor + "' (known: "
                        + new TreeSet<>(Sensors.KNOWN.keySet()) + ")");
            }
        }
        sensors = Set.copyOf(sensors);
        initialBackoff = initialBackoff == null ? DEFAULT_INITIAL_BACKOFF : initialBackoff;
        maxBackoff = maxBackoff == null ? DEFAULT_MAX_BACKOFF : maxBackoff;
        overlays = overlays == null ? OverlayConfig.AUTO : overlays;
        if (trustedCa != null && !Files.isReadable(trustedCa)) {
            throw new IllegalArgumentException(KEY_CA + ": cannot read " + trustedCa);
        }
        if (initialBackoff.toMillis() <= 0 || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(KEY_BACKOFF_INITIAL + "/" + KEY_BACKOFF_MAX
                    + ": need 0 < initial <= max, got " + initialBackoff.toMillis() + " and " + maxBackoff.toMillis());
        }
    }

    public AgentConfig(List<URI> controllers, String enrollmentToken, Path stateDir, Set<String> sensors,
                       Duration initialBackoff, Duration maxBackoff, OverlayConfig overlays, URI discovery) {
        this(controllers, enrollmentToken, stateDir, sensors, initialBackoff, maxBackoff, overlays, discovery, null);
    }

    public AgentConfig(List<URI> controllers, String enrollmentToken, Path stateDir, Set<String> sensors,
                       Duration initialBackoff, Duration maxBackoff, OverlayConfig overlays) {
        this(controllers, enrollmentToken, stateDir, sensors, initialBackoff, maxBackoff, overlays, null);
    }

    public AgentConfig(List<URI> controllers, String enrollmentToken, Path stateDir, Set<String> sensors,
                       Duration initialBackoff, Duration maxBackoff) {
        this(controllers, enrollmentToken, stateDir, sensors, initialBackoff, maxBackoff, null, null);
    }

    /** All sensors, default backoff. */
    public static AgentConfig of(List<URI> controllers, String enrollmentToken, Path stateDir) {
        return new AgentConfig(controllers, enrollmentToken, stateDir, null, null, null);
    }

    public AgentConfig withBackoff(Duration initial, Duration max) {
        return new AgentConfig(controllers, enrollmentToken, stateDir, sensors, initial, max, overlays, discovery,
                trustedCa);
    }

    public AgentConfig withSensors(Set<String> nodeSensors) {
        return new AgentConfig(controllers, enrollmentToken, stateDir, nodeSensors, initialBackoff, maxBackoff, overlays,
                discovery, trustedCa);
    }

    public AgentConfig withOverlays(OverlayConfig overlayConfig) {
        return new AgentConfig(controllers, enrollmentToken, stateDir, sensors, initialBackoff, maxBackoff, overlayConfig,
                discovery, trustedCa);
    }

    /** Trusts the CA certificates in {@code pem} (and only those) for https and wss to the controllers. */
    public AgentConfig withTrustedCa(Path pem) {
        return new AgentConfig(controllers, enrollmentToken, stateDir, sensors, initialBackoff, maxBackoff, overlays,
                discovery, pem);
    }

    /** Hides the token: configs end up in logs. */
    @Override
    public String toString() {
        return "AgentConfig[controllers=" + controllers + (discovery == null ? "" : ", discovery=" + discovery) + ", token=" + (enrollmentToken == null ? "none" : "***")
                + ", stateDir=" + stateDir + ", sensors=" + new TreeSet<>(sensors) + ", backoff="
                + initialBackoff.toMillis() + ".." + maxBackoff.toMillis() + " ms, overlays=" + overlays
                + (trustedCa == null ? "" : ", ca=" + trustedCa) + "]";
    }

    /** {@code ~/.civitas-agent}. */
    public static Path defaultStateDir() {
        return Path.of(System.getProperty("user.home"), ".civitas-agent");
    }

    /** Reads a properties file (UTF-8); {@code overrides} (same keys, null values ignored) win. */
    public static AgentConfig load(Path file, Map<String, String> overrides) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return fromProperties(properties, overrides);
    }

    /** Builds a config from {@code file}'s keys, each overridden by a non-null value in {@code overrides}. */
    public static AgentConfig fromProperties(Properties file, Map<String, String> overrides) {
        Properties merged = new Properties();
        merged.putAll(file);
        overrides.forEach((key, value) -> {
            if (value != null) {
                merged.setProperty(key, value);
            }
        });
        String stateDir = merged.getProperty(KEY_STATE_DIR);
        return new AgentConfig(
                controllerList(merged.getProperty(KEY_CONTROLLERS)),
                merged.getProperty(KEY_TOKEN),
                stateDir == null || stateDir.isBlank() ? defaultStateDir() : Path.of(expandHome(stateDir.trim())),
                sensorSet(merged.getProperty(KEY_SENSORS)),
                millis(merged, KEY_BACKOFF_INITIAL),
                millis(merged, KEY_BACKOFF_MAX),
                new OverlayConfig(merged.getProperty(OverlayConfig.KEY_DATAPATH),
                        merged.getProperty(OverlayConfig.KEY_UNDERLAY_ADDRESS),
                        merged.getProperty(OverlayConfig.KEY_UNDERLAY_DEVICE),
                        merged.getProperty(OverlayConfig.KEY_BEHIND_NAT), merged.getProperty(OverlayConfig.KEY_NETNS)),
                discoveryUrl(merged.getProperty(KEY_DISCOVERY)),
                caFile(merged.getProperty(KEY_CA)));
    }

    private static List<URI> controllerList(String value) {
        List<URI> result = new ArrayList<>();
        for (String item : split(value)) {
            try {
                result.add(URI.create(item));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(KEY_CONTROLLERS + ": '" + item + "' is not a URL");
            }
        }
        return result;
    }

    private static Path caFile(String value) {
        return value == null || value.isBlank() ? null : Path.of(expandHome(value.trim()));
    }

    private static URI discoveryUrl(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY_DISCOVERY + ": '" + value + "' is not a URL");
        }
    }

    private static Set<String> sensorSet(String value) {
        return value == null ? null : new TreeSet<>(split(value));
    }

    private static Duration millis(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofMillis(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a number of milliseconds");
        }
    }

    private static List<String> split(String value) {
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String expandHome(String path) {
        return path.equals("~") || path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
    }

    private static void checkHttpUrl(String key, URI uri) {
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(key + ": '" + uri
                    + "' is not an http(s) base URL like http://controller:8080");
        }
    }
}
