package io.civitas.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo city's network, when the demo runs as root: one network namespace per node, each with an underlay
 * address on a bridge that lives in a hub namespace, so the overlays the controller plans really forward
 * between them (kernel VXLAN in each namespace) and a person can ping across the city. Nothing is created in
 * the host's own namespace; the agents' WAMP sessions still go over the host's loopback.
 *
 * <pre>
 *   cvdemo-hub: bridge br0
 *     ├─ cvdemo-1  eth0 10.230.0.11/24
 *     ├─ cvdemo-2  eth0 10.230.0.12/24  ...
 * </pre>
 */
final class DemoNetwork implements AutoCloseable {

    static final String PREFIX = "cvdemo-";
    static final String HUB = PREFIX + "hub";
    private final List<String> namespaces = new ArrayList<>();

    static String namespace(int index) {
        return PREFIX + (index + 1);
    }

    static String underlay(int index) {
        return "10.230.0." + (11 + index);
    }

    /** Removes what an earlier demo left, then makes the hub and {@code nodes} node namespaces. */
    DemoNetwork create(int nodes) throws IOException {
        removeStale();
        add(HUB);
        ip("-n", HUB, "link", "add", "br0", "type", "bridge");
        ip("-n", HUB, "link", "set", "br0", "up");
        for (int i = 0; i < nodes; i++) {
            String ns = namespace(i);
            add(ns);
            ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "p" + (i + 1), "netns", HUB);
            ip("-n", HUB, "link", "set", "p" + (i + 1), "master", "br0");
            ip("-n", HUB, "link", "set", "p" + (i + 1), "up");
            ip("-n", ns, "addr", "add", underlay(i) + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
        }
        return this;
    }

    private void add(String ns) throws IOException {
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
    }

    private static void removeStale() throws IOException {
        for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith(PREFIX)) {
                run(List.of("ip", "netns", "del", name));
            }
        }
    }

    private static void ip(String... args) throws IOException {
        List<String> line = new ArrayList<>(List.of("ip"));
        line.addAll(List.of(args));
        Process p = start(line);
        String out = read(p);
        if (exit(p) != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + out.strip());
        }
    }

    private static String run(List<String> line) throws IOException {
        Process p = start(line);
        String out = read(p);
        exit(p);
        return out;
    }

    private static Process start(List<String> line) throws IOException {
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return p;
    }

    private static String read(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static int exit(Process p) throws IOException {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ip did not finish in 10 s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Deletes the namespaces, and with them every device the overlays made there. */
    @Override
    public void close() {
        for (String ns : namespaces) {
            try {
                run(List.of("ip", "netns", "del", ns));
            } catch (IOException e) {
                // best effort on the way out: the next demo removes what is left
            }
        }
        namespaces.clear();
    }
}
