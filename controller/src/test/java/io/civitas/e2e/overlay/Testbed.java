package io.civitas.e2e.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The overlay testbed of issue 4, in network namespaces it creates and removes: an underlay bridge on the host
 * side (the controller's side, with the relay), boards and a VM host on it, a "VM" namespace hanging off the VM
 * host, and a board behind a NAT router (MASQUERADE). Needs root and iproute2, iptables, ping: without them the
 * constructor fails saying which, it never skips.
 *
 * <pre>
 *   host: bridge cvb-XXXX 10.231.S.1/24 (controller, relay)
 *     ├─ board-1 10.231.S.11   ├─ board-2 10.231.S.12   ├─ vmhost-1 10.231.S.13 ── vm, vm2 (veths into overlay bridges)
 *     └─ nat 10.231.S.50 ── MASQUERADE ── board-3 10.232.S.2 (default route via nat 10.232.S.1)
 * </pre>
 */
final class Testbed implements AutoCloseable {

    final String tag = Integer.toHexString(new Random().nextInt(0x10000) | 0x10000).substring(1);
    final int subnet = 100 + new Random().nextInt(100);
    final String bridge = "cvb-" + tag;
    final String hostAddress = "10.231." + subnet + ".1";
    private final List<String> namespaces = new ArrayList<>();
    private boolean bridgeMade;

    Testbed() {
        require();
    }

    String ns(String name) {
        return "cv" + tag + "-" + name;
    }

    String underlay(int host) {
        return "10.231." + subnet + "." + host;
    }

    String natInside(int host) {
        return "10.232." + subnet + "." + host;
    }

    Testbed build() {
        run("ip", "link", "add", bridge, "type", "bridge");
        bridgeMade = true;
        run("ip", "addr", "add", hostAddress + "/24", "dev", bridge);
        run("ip", "link", "set", bridge, "up");
        attach("board-1", 11);
        attach("board-2", 12);
        attach("vmhost-1", 13);
        attach("nat", 50);
        // board-3 sits behind the NAT router on its own subnet.
        addNamespace("board-3");
        run("ip", "-n", ns("nat"), "link", "add", "in0", "type", "veth", "peer", "name", "eth0", "netns", ns("board-3"));
        run("ip", "-n", ns("nat"), "addr", "add", natInside(1) + "/24", "dev", "in0");
        run("ip", "-n", ns("nat"), "link", "set", "in0", "up");
        run("ip", "-n", ns("board-3"), "addr", "add", natInside(2) + "/24", "dev", "eth0");
        run("ip", "-n", ns("board-3"), "link", "set", "eth0", "up");
        run("ip", "-n", ns("board-3"), "route", "add", "default", "via", natInside(1));
        run("ip", "netns", "exec", ns("nat"), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        run("ip", "netns", "exec", ns("nat"), "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE");
        // The VM: its own namespace, its NIC a veth whose other end the VM host puts in an overlay bridge.
        addNamespace("vm");
        run("ip", "-n", ns("vmhost-1"), "link", "add", "vm0", "type", "veth", "peer", "name", "eth0", "netns", ns("vm"));
        run("ip", "-n", ns("vmhost-1"), "link", "set", "vm0", "up");
        run("ip", "-n", ns("vm"), "link", "set", "eth0", "up");
        // A second VM on the same host, for the second overlay.
        addNamespace("vm2");
        run("ip", "-n", ns("vmhost-1"), "link", "add", "vm1", "type", "veth", "peer", "name", "eth0", "netns", ns("vm2"));
        run("ip", "-n", ns("vmhost-1"), "link", "set", "vm1", "up");
        run("ip", "-n", ns("vm2"), "link", "set", "eth0", "up");
        return this;
    }

    private void attach(String name, int host) {
        addNamespace(name);
        String hostSide = "cv" + tag + "h" + host;
        run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns(name));
        run("ip", "link", "set", hostSide, "master", bridge);
        run("ip", "link", "set", hostSide, "up");
        run("ip", "-n", ns(name), "addr", "add", underlay(host) + "/24", "dev", "eth0");
        run("ip", "-n", ns(name), "link", "set", "eth0", "up");
    }

    private void addNamespace(String name) {
        run("ip", "netns", "add", ns(name));
        namespaces.add(ns(name));
        run("ip", "-n", ns(name), "link", "set", "lo", "up");
    }

    /** Runs in a namespace; true when the command exited 0. */
    boolean in(String name, String... command) {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", ns(name)));
        line.addAll(List.of(command));
        return exec(line).exit == 0;
    }

    String output(String name, String... command) {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", ns(name)));
        line.addAll(List.of(command));
        return exec(line).out;
    }

    /** One ICMP echo from a namespace, a second to answer. */
    boolean ping(String from, String address) {
        return in(from, "ping", "-n", "-c", "1", "-W", "1", address);
    }

    /** Our overlay devices in a namespace (cv-br-*, cv-vx-*, cv-tap-*), one line each. */
    List<String> overlayDevices(String name) {
        return output(name, "ip", "-o", "link", "show").lines()
                .map(l -> l.split(":\\s+")[1].split("@")[0])
                .filter(d -> d.startsWith("cv-")).sorted().toList();
    }

    /** Starts an agent process inside a namespace (as a board would run it), its output to {@code log}. */
    Process agent(String name, Path jar, List<String> args, Path log) throws IOException {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", ns(name),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-jar", jar.toString()));
        line.addAll(args);
        return new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    void run(String... command) {
        Result r = exec(List.of(command));
        if (r.exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exit + "): " + r.out);
        }
    }

    record Result(int exit, String out) {}

    private static Result exec(List<String> line) {
        try {
            Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    private static void require() {
        if (!"0".equals(exec(List.of("id", "-u")).out.strip())) {
            throw new AssertionError("the overlay testbed needs root (CI runs as root)");
        }
        for (String[] tool : new String[][] {{"ip", "iproute2"}, {"ping", "iputils-ping"}, {"iptables", "iptables"},
                {"bridge", "iproute2"}}) {
            if (exec(List.of("sh", "-c", "command -v " + tool[0])).exit != 0) {
                throw new AssertionError("the overlay testbed needs " + tool[0] + " (Debian: apt-get install " + tool[1] + ")");
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            throw new AssertionError("the overlay testbed needs /dev/net/tun");
        }
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            exec(List.of("ip", "netns", "del", ns));
        }
        if (bridgeMade) {
            exec(List.of("ip", "link", "del", bridge));
        }
    }
}
