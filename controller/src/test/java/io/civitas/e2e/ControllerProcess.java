package io.civitas.e2e;

import io.civitas.controller.ControllerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A controller with embedded ZooKeeper on fixed ports and a data folder, so a test can stop it and
 * start it again where agents expect it.
 */
public final class ControllerProcess implements AutoCloseable {

    public final Path dataDir;
    final int restPort = FreePorts.next();
    final int wampPort = FreePorts.next();
    private ConfigurableApplicationContext context;

    public ControllerProcess(Path dataDir) {
        this.dataDir = dataDir;
    }

    public ControllerProcess start() {
        context = new SpringApplicationBuilder(ControllerApplication.class).run(
                "--server.port=" + restPort,
                "--civitas.wamp.port=" + wampPort,
                "--civitas.wamp.bind-address=127.0.0.1",
                "--civitas.data-dir=" + dataDir);
        return this;
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + restPort);
    }

    public String adminToken() throws IOException {
        return Files.readString(dataDir.resolve("admin-token")).trim();
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

}
