package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Network namespaces a test makes and deletes: random names {@code cvu-ROLE-xxxxxx}, veth pairs made inside one
 * namespace with the peer moved straight into the other, so nothing ever appears in the host's own namespace.
 * Fails (never skips) when root or a tool is missing.
 */
final class TestNetwork implements AutoCloseable {

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private final List<String> namespaces = new ArrayList<>();
    private final Shell host = new Shell(null);

    /** Checks root and the tools, naming what is missing. */
    static TestNetwork create(String testName, String... tools) {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail(testName + " needs root (network namespaces, TAP devices, setns); running as "
                    + System.getProperty("user.name") + ". Run the build as root, as CI does.");
        }
        Shell host = new Shell(null);
        List<String> needed = new ArrayList<>(List.of("ip", "bridge", "ping"));
        needed.addAll(List.of(tools));
        for (String tool : needed) {
            if (host.run("sh", "-c", "command -v " + tool).exit() != 0) {
                fail(testName + " needs " + tool + " on the PATH (Debian: iproute2, iputils-ping, iptables, ethtool)");
            }
        }
        if (!new java.io.File("/dev/net/tun").exists()) {
            fail(testName + " needs /dev/net/tun (the tun module)");
        }
        return new TestNetwork();
    }

    /** A new namespace with its loopback up. */
    String namespace(String role) {
        String ns = "cvu-" + role + "-" + suffix;
        host.check("ip", "netns", "add", ns);
        namespaces.add(ns);
        host.check("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair between two namespaces, each end with its address (CIDR) if not null, both up. */
    void veth(String nsA, String ifA, String cidrA, String nsB, String ifB, String cidrB) {
        host.check("ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
        up(nsA, ifA, cidrA);
        up(nsB, ifB, cidrB);
    }

    private void up(String ns, String device, String cidr) {
        if (cidr != null) {
            host.check("ip", "-n", ns, "addr", "add", cidr, "dev", device);
        }
        host.check("ip", "-n", ns, "link", "set", device, "up");
    }

    /** Runs a command in a namespace, failing with its stderr unless it exits 0. */
    String in(String ns, String... command) {
        return new Shell(ns).check(command);
    }

    /** ping -c N with a deadline; fails the test with ping's output. */
    void ping(String ns, String address, int count) {
        Shell.Result r = new Shell(ns).run("ping", "-c", String.valueOf(count), "-i", "0.2", "-W", "2", address);
        if (r.exit() != 0) {
            fail("ping " + address + " from " + ns + " failed: " + r.stdout() + r.stderr());
        }
    }

    /**
     * Sends 2 MB over TCP with iperf3 from {@code client} to a server in {@code server} listening on {@code address};
     * fails with iperf3's output if the transfer does not complete in 15 s.
     */
    void tcpTransfer(String server, String client, String address) {
        Process daemon;
        try {
            daemon = new ProcessBuilder("ip", "netns", "exec", server, "iperf3", "-s", "-1", "-B", address)
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot start iperf3 in " + server, e);
        }
        try {
            Shell.Result r = null;
            for (int attempt = 0; attempt < 20; attempt++) { // until the server listens
                r = new Shell(client).run("timeout", "15", "iperf3", "-c", address, "-n", "2M", "--connect-timeout", "3000");
                if (r.exit() == 0 || !r.stdout().concat(r.stderr()).contains("Connection refused")) {
                    break;
                }
                sleep(100);
            }
            if (r.exit() != 0) {
                fail("TCP transfer from " + client + " to " + address + " failed: " + r.stdout() + r.stderr());
            }
        } finally {
            daemon.destroy();
        }
    }

    /**
     * Sends {@code bytes} random bytes over one TCP connection from {@code clientNs} to {@code serverAddress}
     * (port 5201) in {@code serverNs} and fails unless the SHA-256 of what arrived equals that of what was sent,
     * within 60 s. The sockets are made in the namespaces from this JVM, so no tool is needed.
     */
    void tcpTransferIntact(String serverNs, String serverAddress, String clientNs, int bytes) {
        InetSocketAddress at = new InetSocketAddress(serverAddress, 5201);
        byte[] data = new byte[bytes];
        new java.util.Random(bytes).nextBytes(data);
        try (ServerSocketChannel server = Netns.call(serverNs, () -> ServerSocketChannel.open().bind(at));
             SocketChannel client = Netns.call(clientNs, SocketChannel::open)) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    ByteBuffer b = ByteBuffer.allocate(1 << 16);
                    long total = 0;
                    while (c.read(b.clear()) >= 0) {
                        sha.update(b.flip());
                        total += b.limit();
                    }
                    if (total != bytes) {
                        throw new AssertionError("received " + total + " of " + bytes + " bytes");
                    }
                    return sha.digest();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            client.socket().connect(at, 5000);
            client.write(ByteBuffer.wrap(data));
            client.shutdownOutput();
            byte[] digest = received.get(60, TimeUnit.SECONDS);
            assertThat(HexFormat.of().formatHex(digest)).as("SHA-256 of the %d bytes from %s to %s", bytes,
                    clientNs, serverAddress).isEqualTo(HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(data)));
        } catch (Exception e) {
            throw new AssertionError("TCP transfer of " + bytes + " bytes from " + clientNs + " to " + serverAddress
                    + " failed: " + e, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            host.run("ip", "netns", "del", ns);
        }
    }
}
