package io.civitas.e2e.cluster;

import io.civitas.e2e.FreePorts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * A ZooKeeper ensemble of {@code size} real servers, each its own JVM ({@code QuorumPeerMain}) on 127.0.0.1
 * with free ports and its own data folder, so that a server can be killed and started again with its data.
 */
final class ZooKeeperQuorum implements AutoCloseable {

    private final Path dir;
    private final int tickMillis;
    private final int[] clientPorts;
    private final String servers;
    private final JavaProcess[] processes;

    ZooKeeperQuorum(Path dir, int size, int tickMillis) throws IOException {
        this.dir = dir;
        this.tickMillis = tickMillis;
        this.clientPorts = new int[size];
        this.processes = new JavaProcess[size];
        StringBuilder serverLines = new StringBuilder();
        for (int i = 0; i < size; i++) {
            clientPorts[i] = FreePorts.next();
            serverLines.append("server.").append(i + 1).append("=127.0.0.1:").append(FreePorts.next())
                    .append(':').append(FreePorts.next()).append('\n');
        }
        this.servers = serverLines.toString();
        Files.writeString(dir.resolve("zk-logback.xml"), """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="out"/></root>
                  <logger name="org.apache.zookeeper.server.quorum.QuorumPeer" level="INFO"/>
                </configuration>
                """);
        for (int i = 0; i < size; i++) {
            Path data = dir.resolve("zk" + (i + 1));
            Files.createDirectories(data);
            Files.writeString(data.resolve("myid"), Integer.toString(i + 1));
            Files.writeString(data.resolve("zoo.cfg"), "tickTime=" + tickMillis + "\ninitLimit=20\nsyncLimit=10\n"
                    + "dataDir=" + data + "\nclientPort=" + clientPorts[i] + "\nclientPortAddress=127.0.0.1\n"
                    + "admin.enableServer=false\n4lw.commands.whitelist=ruok,srvr\n" + servers);
        }
    }

    ZooKeeperQuorum start() throws IOException {
        for (int i = 0; i < processes.length; i++) {
            start(i);
        }
        return this;
    }

    void start(int i) throws IOException {
        Path data = dir.resolve("zk" + (i + 1));
        processes[i] = new JavaProcess("zk" + (i + 1), dir.resolve("zk" + (i + 1) + ".log"),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", List.of(data.resolve("zoo.cfg").toString()),
                "128m", "-Dlogback.configurationFile=" + dir.resolve("zk-logback.xml")).start();
    }

    void kill(int i) throws InterruptedException {
        processes[i].kill();
    }

    String connectString() {
        StringJoiner joined = new StringJoiner(",");
        for (int port : clientPorts) {
            joined.add("127.0.0.1:" + port);
        }
        return joined.toString();
    }

    /** True when server {@code i} answers {@code srvr} as leader or follower (part of a working quorum). */
    boolean serving(int i) {
        try (Socket socket = new Socket("127.0.0.1", clientPorts[i])) {
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return answer.contains("Mode: leader") || answer.contains("Mode: follower");
        } catch (IOException e) {
            return false;
        }
    }

    boolean quorum() {
        int serving = 0;
        for (int i = 0; i < processes.length; i++) {
            serving += serving(i) ? 1 : 0;
        }
        return serving > processes.length / 2;
    }

    int tickMillis() {
        return tickMillis;
    }

    List<Path> logs() {
        List<Path> logs = new ArrayList<>();
        for (JavaProcess p : processes) {
            if (p != null) {
                logs.add(p.log());
            }
        }
        return logs;
    }

    @Override
    public void close() throws InterruptedException {
        for (JavaProcess p : processes) {
            if (p != null) {
                p.kill();
            }
        }
    }
}
