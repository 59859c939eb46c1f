package io.civitas.bench.sim;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * A ZooKeeper ensemble and controllers on this machine, each a JVM of its own started from this JVM's class
 * path (the bench's exec jar through Spring Boot's PropertiesLauncher, or a plain class path), so that a
 * controller can be killed with SIGKILL. Logs and data under {@code dir}.
 */
public final class ProcessCluster implements AutoCloseable {

    private static final String LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One controller: its ports, data folder and process. */
    public record Controller(String id, int restPort, int wampPort, Path dataDir, Process process) {
        public URI base() {
            return URI.create("http://127.0.0.1:" + restPort);
        }

        public URI wampUrl() {
            return URI.create("ws://127.0.0.1:" + wampPort + "/wamp");
        }
    }

    private final Path dir;
    private final List<Process> zookeepers = new ArrayList<>();
    private final List<Controller> controllers = new ArrayList<>();
    private final List<Integer> zkPorts = new ArrayList<>();

    public ProcessCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code size} ZooKeeper servers and waits (bounded) for a quorum. */
    public String startZooKeeper(int size, int tickMillis) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (int i = 1; i <= size; i++) {
            zkPorts.add(freePort());
            servers.append("server.").append(i).append("=127.0.0.1:").append(freePort()).append(':')
                    .append(freePort()).append('\n');
        }
        Path logback = dir.resolve("zk-logback.xml");
        Files.writeString(logback, "<configuration><appender name=\"o\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"o\"/></root></configuration>");
        for (int i = 1; i <= size; i++) {
            Path data = dir.resolve("zk" + i);
            Files.createDirectories(data);
            Files.writeString(data.resolve("myid"), Integer.toString(i));
            Files.writeString(data.resolve("zoo.cfg"), "tickTime=" + tickMillis + "\ninitLimit=20\nsyncLimit=10\n"
                    + "dataDir=" + data + "\nclientPort=" + zkPorts.get(i - 1) + "\nclientPortAddress=127.0.0.1\n"
                    + "admin.enableServer=false\n4lw.commands.whitelist=srvr\n" + (size > 1 ? servers : ""));
            // 1 GB, ZooKeeper's own default (zkEnv.sh). With 128 MB a 10,000-node city's writes ran it into full
            // collections every 300 ms, a third of its time, and the converge figures measured that.
            zookeepers.add(java("zk" + i, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                    List.of(data.resolve("zoo.cfg").toString()), "1g", "-Dlogback.configurationFile=" + logback));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (serving() <= size / 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no ZooKeeper quorum within 120 s; logs in " + dir);
            }
            Thread.sleep(200);
        }
        StringJoiner connect = new StringJoiner(",");
        zkPorts.forEach(p -> connect.add("127.0.0.1:" + p));
        return connect.toString();
    }

    /** Starts a controller on {@code zookeeper}; {@link #awaitUp} waits for it. */
    public Controller startController(String id, String zookeeper, Duration sessionTimeout, String heap,
                                      String... extra) throws IOException {
        Path data = dir.resolve(id);
        Files.createDirectories(data);
        int rest = freePort();
        int wamp = freePort();
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(rest), "--wamp-port", Integer.toString(wamp),
                "--zookeeper", zookeeper, "--controller-id", id, "--data", data.toString(),
                "--civitas.zookeeper-session-timeout=" + sessionTimeout.toMillis() + "ms",
                "--civitas.cluster.advertise-host=127.0.0.1", "--logging.level.root=WARN",
                "--civitas.openflow.port=" + freePort(), // not 6653 for all: they share this machine
                "--logging.level.io.civitas.controller.cluster=INFO"));
        args.addAll(List.of(extra));
        Controller c = new Controller(id, rest, wamp, data,
                java(id, "io.civitas.controller.ControllerApplication", args, heap));
        controllers.add(c);
        return c;
    }

    public void awaitUp(Controller c, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!c.process().isAlive()) {
                throw new IllegalStateException(c.id() + " exited while starting; see " + dir.resolve(c.id() + ".log"));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(c.base().resolve("/api/v1/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(c.id() + " not UP within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(300);
        }
    }

    /** Any main class of this class path as a process of its own, stopped with the cluster. */
    public Process startJava(String name, String main, List<String> args, String heap) throws IOException {
        Process p = java(name, main, args, heap);
        zookeepers.add(p);
        return p;
    }

    /** Polls {@code done} every 5 ms until it holds; fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(5);
        }
    }

    /** Bytes of live objects in the process's heap after a full GC ({@code jcmd GC.class_histogram}'s total). */
    public static long liveHeapBytes(Process p) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(p.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(60, TimeUnit.SECONDS);
        for (String line : out.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] parts = t.split("\\s+");
                return Long.parseLong(parts[parts.length - 1]);
            }
        }
        throw new IllegalStateException("no Total in jcmd GC.class_histogram of " + p.pid() + ": " + out);
    }

    public List<Controller> controllers() {
        return List.copyOf(controllers);
    }

    /** kill -9 and wait until the process is gone. */
    public static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        for (Controller c : controllers) {
            kill(c.process());
        }
        for (Process z : zookeepers) {
            kill(z);
        }
    }

    private int serving() {
        int n = 0;
        for (int port : zkPorts) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(2_000);
                s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                n += answer.contains("Mode: leader") || answer.contains("Mode: follower")
                        || answer.contains("Mode: standalone") ? 1 : 0;
            } catch (IOException e) {
                // not serving
            }
        }
        return n;
    }

    private Process java(String name, String main, List<String> args, String heap, String... jvm) throws IOException {
        String classPath = System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true"));
        cmd.addAll(List.of(jvm));
        cmd.add("-cp");
        cmd.add(classPath);
        if (classPath.endsWith("-exec.jar") && !classPath.contains(java.io.File.pathSeparator)) {
            cmd.add("-Dloader.main=" + main); // a Spring Boot exec jar: its libraries are nested
            cmd.add(LAUNCHER);
        } else {
            cmd.add(main);
        }
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
