package io.civitas.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * iperf3 between two namespaces: one server ({@code iperf3 -s}, started once, serving one test after another)
 * and one TCP client run per measurement ({@code iperf3 -c ADDRESS -t SECONDS -O 1 -J}, the first second of
 * slow start omitted), read from iperf3's JSON.
 */
final class Iperf implements AutoCloseable {

    /** One run: the receiver's rate, the MSS iperf3 used, the sender's retransmits, both ends' CPU use. */
    record Run(double megabitsPerSecond, int mss, long retransmits, double senderCpuPercent, double receiverCpuPercent) {}

    private final BenchNetwork net;
    private final String client;
    private final String serverNs;
    private final Process server;
    private final ObjectMapper json = new ObjectMapper();

    /** Starts the server in {@code serverNs} and waits until it listens. */
    Iperf(BenchNetwork net, String client, String serverNs) throws IOException, InterruptedException {
        this.net = net;
        this.client = client;
        this.serverNs = serverNs;
        this.server = net.start(serverNs, "iperf3", "-s");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!net.runIn(serverNs, 10, "ss", "-Hltn", "sport = :5201").stdout().contains("5201")) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("iperf3 -s did not start listening in " + serverNs + ": "
                        + new String(server.getInputStream().readNBytes(2000)));
            }
            Thread.sleep(50);
        }
    }

    /** One TCP run of {@code seconds} (plus the omitted first second) to {@code address}. */
    Run run(String address, int seconds) throws IOException {
        BenchNetwork.Result r = net.runIn(client, seconds + 30, "iperf3", "-c", address, "-t", String.valueOf(seconds),
                "-O", "1", "-J");
        JsonNode result;
        try {
            result = json.readTree(r.stdout());
        } catch (IOException e) {
            throw new IOException("iperf3 -c " + address + " gave no JSON (exit " + r.exit() + "): " + r.stderr().strip());
        }
        if (r.exit() != 0 || result.hasNonNull("error")) {
            throw new IOException("iperf3 -c " + address + " from " + client + " to " + serverNs + " failed (exit "
                    + r.exit() + "): " + result.path("error").asText(r.stderr().strip()));
        }
        JsonNode end = result.path("end");
        double bps = end.path("sum_received").path("bits_per_second").asDouble(-1);
        if (bps <= 0) {
            throw new IOException("iperf3 -c " + address + " reported no received rate: " + end);
        }
        return new Run(bps / 1e6, result.path("start").path("tcp_mss_default").asInt(-1),
                end.path("sum_sent").path("retransmits").asLong(-1),
                end.path("cpu_utilization_percent").path("host_total").asDouble(-1),
                end.path("cpu_utilization_percent").path("remote_total").asDouble(-1));
    }

    @Override
    public void close() {
        net.stop(server);
    }
}
