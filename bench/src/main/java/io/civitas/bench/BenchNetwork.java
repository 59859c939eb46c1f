package io.civitas.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The network namespaces of one benchmark run: named {@code cvbo-ROLE-RANDOM}, veth pairs made inside a
 * namespace with the peer moved straight into another, so nothing is ever created in the host's own namespace.
 * {@link #close} kills the processes started here and deletes the namespaces (with every device in them); a
 * shutdown hook does the same if the JVM is stopped first (Ctrl-C).
 */
final class BenchNetwork implements AutoCloseable {

    static final String PREFIX = "cvbo-";
    private static final long TIMEOUT_SECONDS = 30;

    /** What a command did. */
    record Result(int exit, String stdout, String stderr) {}

    private final String suffix = randomSuffix();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "cvbo-cleanup");
    private boolean closed;

    BenchNetwork() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Fails with {@link Scenario.Unmet} unless this runs as root with the tools on the PATH and /dev/net/tun. */
    static void requireRootAndTools(String... tools) throws Scenario.Unmet {
        if (!effectiveUidIsRoot()) {
            throw new Scenario.Unmet("needs root (network namespaces, veth, VXLAN and TAP devices, setns); running as "
                    + System.getProperty("user.name"));
        }
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new Scenario.Unmet("missing on the PATH: " + String.join(", ", missing)
                    + " (Debian: apt-get install iproute2 iperf3 iputils-ping)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            throw new Scenario.Unmet("needs /dev/net/tun (the tun module) for TAP devices");
        }
    }

    /** A new namespace {@code cvbo-ROLE-RANDOM} with its loopback up. */
    String namespace(String role) throws IOException {
        String ns = PREFIX + role + "-" + suffix;
        check("ip", "netns", "add", ns);
        synchronized (this) {
            namespaces.add(ns);
        }
        check("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair between two namespaces, each end with its address (CIDR; null for none), both up. */
    void veth(String nsA, String ifA, String cidrA, String nsB, String ifB, String cidrB) throws IOException {
        check("ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
        up(nsA, ifA, cidrA);
        up(nsB, ifB, cidrB);
    }

    /** A bridge in {@code ns}, up. */
    void bridge(String ns, String name) throws IOException {
        check("ip", "-n", ns, "link", "add", name, "type", "bridge");
        check("ip", "-n", ns, "link", "set", name, "up");
    }

    /** A veth from {@code ns} (device {@code device}, address {@code cidr}) to a port of the bridge in {@code hub}. */
    void attach(String ns, String device, String cidr, String hub, String bridge, String port) throws IOException {
        veth(ns, device, cidr, hub, port, null);
        check("ip", "-n", hub, "link", "set", port, "master", bridge);
    }

    private void up(String ns, String device, String cidr) throws IOException {
        if (cidr != null) {
            check("ip", "-n", ns, "addr", "add", cidr, "dev", device);
        }
        check("ip", "-n", ns, "link", "set", device, "up");
    }

    /** Runs a command inside {@code ns}, failing with its output unless it exits 0; returns its stdout. */
    String in(String ns, String... command) throws IOException {
        return check(inNs(ns, command));
    }

    /** Runs a command inside {@code ns} and returns what it did, whatever its exit status. */
    Result runIn(String ns, long timeoutSeconds, String... command) throws IOException {
        return run(List.of(inNs(ns, command)), timeoutSeconds);
    }

    /** Starts a long-running command inside {@code ns}; {@link #close} kills it if it is still running. */
    Process start(String ns, String... command) throws IOException {
        Process p = new ProcessBuilder(inNs(ns, command)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        synchronized (this) {
            processes.add(p);
        }
        return p;
    }

    /** Kills a process started here (its own, by its handle) and waits for it. */
    void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            processes.remove(p);
        }
    }

    private static String[] inNs(String ns, String... command) {
        String[] line = new String[command.length + 4];
        line[0] = "ip";
        line[1] = "netns";
        line[2] = "exec";
        line[3] = ns;
        System.arraycopy(command, 0, line, 4, command.length);
        return line;
    }

    private static String check(String... command) throws IOException {
        Result r = run(List.of(command), TIMEOUT_SECONDS);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + r.exit() + "): "
                    + (r.stderr() + r.stdout()).strip());
        }
        return r.stdout();
    }

    static Result run(List<String> command, long timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readQuietly(p.getErrorStream()));
        String out = readQuietly(p.getInputStream());
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        return new Result(p.exitValue(), out, err.join());
    }

    private static String readQuietly(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills what was started here and deletes the namespaces. Idempotent; also runs as the shutdown hook. */
    @Override
    public void close() {
        List<Process> running;
        List<String> toDelete;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = new ArrayList<>(processes);
            toDelete = new ArrayList<>(namespaces);
            processes.clear();
            namespaces.clear();
        }
        for (Process p : running) {
            p.destroyForcibly();
        }
        for (String ns : toDelete) {
            try {
                Result r = run(List.of("ip", "netns", "del", ns), TIMEOUT_SECONDS);
                if (r.exit() != 0) {
                    System.err.println("[bench] could not delete namespace " + ns + ": " + r.stderr().strip());
                }
            } catch (IOException e) {
                System.err.println("[bench] could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs and finds nothing left to do
            }
        }
    }

    private static String randomSuffix() {
        byte[] bytes = new byte[3];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static boolean effectiveUidIsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            // fall through: not known to be root
        }
        return false;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
