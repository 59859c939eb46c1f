package io.civitas.controller.southbound;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real Open vSwitch for tests: started if it is not running (Debian openvswitch-switch, userspace datapath),
 * failing the test loudly if it cannot be. Bridges get unique names ({@code cvof-...}) and are deleted by
 * {@link #close()}.
 */
final class Ovs implements AutoCloseable {

    private final List<String> bridges = new ArrayList<>();

    Ovs() {
        ensureRunning();
    }

    static synchronized void ensureRunning() {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("Open vSwitch tests need root; running as " + System.getProperty("user.name"));
        }
        if (run(5, "ovs-vsctl", "--version").exit != 0) {
            fail("Open vSwitch is not installed (Debian: apt-get install openvswitch-switch ethtool)");
        }
        if (run(5, "ovs-vsctl", "--timeout=2", "show").exit == 0
                && run(5, "ovs-appctl", "-t", "ovs-vswitchd", "version").exit == 0) {
            return;
        }
        Result start = run(60, "/usr/share/openvswitch/scripts/ovs-ctl", "--system-id=random", "start");
        if (start.exit != 0 || run(5, "ovs-vsctl", "--timeout=5", "show").exit != 0) {
            fail("Cannot start Open vSwitch (ovs-ctl start exit " + start.exit + "): " + start.out);
        }
    }

    /** A new userspace bridge speaking OpenFlow 1.3 only, with a random datapath id; returns its name. */
    String bridge(long dpid, int... controllerPorts) {
        String name = "cvof-" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x100000L, 0xffffffL));
        bridges.add(name);
        check("ovs-vsctl", "--", "add-br", name, "--", "set", "bridge", name, "datapath_type=netdev",
                "protocols=OpenFlow13", "fail_mode=secure", "other-config:datapath-id=" + String.format("%016x", dpid));
        if (controllerPorts.length > 0) {
            setControllers(name, controllerPorts);
        }
        return name;
    }

    void setControllers(String bridge, int... ports) {
        List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "set-controller", bridge));
        for (int p : ports) {
            cmd.add("tcp:127.0.0.1:" + p);
        }
        check(cmd.toArray(String[]::new));
        // Reconnect fast after a controller restart (default max_backoff is 8 s).
        for (String uuid : check("ovs-vsctl", "--bare", "--columns=_uuid", "find", "controller").split("\\s+")) {
            if (!uuid.isBlank()) {
                run(5, "ovs-vsctl", "set", "controller", uuid, "max_backoff=1000");
            }
        }
    }

    /** {@code ovs-ofctl -O OpenFlow13 dump-flows} without the header, one flow a line. */
    List<String> flows(String bridge) {
        return check("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "dump-flows", bridge).lines()
                .filter(l -> !l.startsWith("OFPST_FLOW") && !l.isBlank()).map(String::strip).toList();
    }

    String check(String... command) {
        Result r = run(30, command);
        if (r.exit != 0) {
            fail("command failed (exit " + r.exit + "): " + String.join(" ", command) + ": " + r.out);
        }
        return r.out;
    }

    record Result(int exit, String out) {}

    static Result run(int timeoutSeconds, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    @Override
    public void close() {
        for (String b : bridges) {
            run(30, "ovs-vsctl", "--if-exists", "del-br", b);
        }
    }
}
