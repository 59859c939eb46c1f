package io.civitas.e2e.cluster;

import io.civitas.e2e.FreePorts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A controller in a JVM of its own (ControllerApplication on the test class path) on an external ensemble. */
final class ControllerJvm implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String id;
    final Path dataDir;
    final int restPort = FreePorts.next();
    final int wampPort = FreePorts.next();
    private final JavaProcess process;

    ControllerJvm(String id, Path dir, String zookeeper, Duration sessionTimeout) throws IOException {
        this.id = id;
        this.dataDir = dir.resolve(id);
        Files.createDirectories(dataDir);
        this.process = new JavaProcess(id, dir.resolve(id + ".log"), "io.civitas.controller.ControllerApplication",
                List.of("--port", Integer.toString(restPort), "--wamp-port", Integer.toString(wampPort),
                        "--zookeeper", zookeeper, "--controller-id", id, "--data", dataDir.toString(),
                        "--civitas.zookeeper-session-timeout=" + sessionTimeout.toMillis() + "ms",
                        "--civitas.cluster.advertise-host=127.0.0.1",
                        "--civitas.reconcile.backoff-cap=2s",
                        "--civitas.reconcile.resync=5s"),
                "320m");
    }

    ControllerJvm start() throws IOException {
        process.start();
        return this;
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + restPort);
    }

    boolean alive() {
        return process.alive();
    }

    /** True when {@code GET /api/v1/health} says UP. */
    boolean up() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base().resolve("/api/v1/health"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return process.log();
    }

    void kill() throws InterruptedException {
        process.kill();
    }

    @Override
    public void close() throws InterruptedException {
        process.kill();
    }
}
