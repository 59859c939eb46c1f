package io.civitas.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers a test starts (controllers, ZooKeeper). Taken below Linux's ephemeral range (32768-60999):
 * {@code new ServerSocket(0)} hands out a port in that range, and until the server binds it (a JVM start later)
 * any outgoing connection may take it; a cluster test failed so ("Port 43825 was already in use"). A port is
 * handed out once per test JVM.
 */
public final class FreePorts {

    private static final int FROM = 20_000;
    private static final int TO = 32_000;
    private static final Set<Integer> given = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    public static int next() {
        for (int tries = 0; tries < 1_000; tries++) {
            int port = ThreadLocalRandom.current().nextInt(FROM, TO);
            if (!given.add(port)) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // in use: another one
            }
        }
        throw new IllegalStateException("no free port between " + FROM + " and " + TO);
    }
}
