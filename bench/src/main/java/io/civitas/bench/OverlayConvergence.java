package io.civitas.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.agent.NodeAgent;
import io.civitas.agent.OverlayConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Overlay convergence with the real controller and agents: an in-process controller ({@link InProcessCity}) and N
 * in-process agents, each agent's overlay datapath in its own namespace on one underlay bridge in a hub namespace
 * (as the demo city runs), the agents' WAMP sessions over the host's loopback; the agents choose their datapath
 * themselves (auto: the kernel one here). An overlay holds N-1 of them; each round one more is added through
 * {@code POST /api/v1/overlays/{name}/members}, and the round's time is from just before that call until every
 * other member has had its first ICMP echo reply from the newcomer's overlay address.
 *
 * <p>Each other member runs {@code ping -D -n -i 0.01 ADDRESS} (iputils, one echo every 10 ms, each reply stamped
 * with the wall clock) from before the call until its first reply (at most 30 s); the first reply's stamp minus the wall clock just before the
 * call is that member's time. The newcomer's address is known before the call: the allocator hands out the lowest
 * free address, which is the one the newcomer gave back when it left (checked against the call's answer). While the
 * address has no neighbour entry ping's sends wait in the ARP queue and it retries about every 16 ms, so a figure
 * is good to 10-20 ms. The baseline, in the same round: the time until every agent (the newcomer and the others,
 * whose plans gain a peer) has applied the generation the call gave it, read from the in-process agents every
 * millisecond. Between rounds the next newcomer leaves the overlay ({@code DELETE .../members/{node}}) and every
 * agent applies that first, so each round adds a different node.
 */
final class OverlayConvergence {

    /** One round, in milliseconds from just before the REST call. */
    record Round(String newcomer, double everyOtherMemberPings, double everyAgentApplied, double restCall) {}

    private static final String OVERLAY = "bench-conv";
    private static final int VNI = 4300;
    private static final String CIDR = "10.251.100.0/24";
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d+)\\] \\d+ bytes from ");
    private static final long PING_DEADLINE_SECONDS = 30;

    private final BenchNetwork net;
    private final Consumer<String> progress;
    private final List<String> nodes = new ArrayList<>();
    private final Map<String, String> namespaceOf = new HashMap<>();

    OverlayConvergence(BenchNetwork net, Consumer<String> progress) {
        this.net = net;
        this.progress = progress;
    }

    List<Round> run(int members, int rounds) throws Exception {
        String hub = net.namespace("hub");
        net.bridge(hub, "br0");
        // No OpenFlow listener: no switch takes part here, and on 2 shared cores every idle loop counts.
        try (InProcessCity city = new InProcessCity(progress, "--civitas.openflow.enabled=false")) {
            for (int i = 0; i < members; i++) {
                String ns = net.namespace("m" + (i + 1));
                String underlay = "10.251.10." + (11 + i);
                net.attach(ns, "eth0", underlay + "/24", hub, "br0", "p" + (i + 1));
                String node = city.startBoard("bench-m" + (i + 1), OverlayConfig.AUTO.withNetns(ns, underlay));
                nodes.add(node);
                namespaceOf.put(node, ns);
            }
            city.api("POST", "/api/v1/overlays",
                    "{\"name\":\"" + OVERLAY + "\",\"vni\":" + VNI + ",\"cidr\":\"" + CIDR + "\"}");
            for (String node : nodes.subList(0, members - 1)) {
                addMember(city, node);
            }
            awaitApplied(city, null);
            checkAllPing(city);
            progress.accept(String.format("convergence: %d agents, overlay %s (VNI %d, %s) holds %d of them; %d rounds",
                    members, OVERLAY, VNI, CIDR, members - 1, rounds));
            List<Round> result = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                String newcomer = nodes.get((members - 1 + r) % members);
                if (r > 0) {
                    Map<String, Long> before = generations(city);
                    city.api("DELETE", "/api/v1/overlays/" + OVERLAY + "/members/" + newcomer, null);
                    awaitApplied(city, before);
                    Thread.sleep(500); // let the leave settle (devices gone, neighbour entries dropped)
                }
                Round round = addAndMeasure(city, newcomer);
                result.add(round);
                progress.accept(String.format(Locale.ROOT, "round %d/%d: %s joined; every other member pinged it after"
                                + " %.1f ms; every agent had applied after %.1f ms; the REST call took %.1f ms", r + 1,
                        rounds, newcomer, round.everyOtherMemberPings(), round.everyAgentApplied(), round.restCall()));
            }
            return result;
        }
    }

    private Round addAndMeasure(InProcessCity city, String newcomer) throws Exception {
        String address = lowestFree(city);
        List<String> others = nodes.stream().filter(n -> !n.equals(newcomer)).toList();
        Map<String, Process> pings = new LinkedHashMap<>();
        Map<String, CompletableFuture<Instant>> replies = new LinkedHashMap<>();
        Map<String, Long> before = generations(city);
        GenerationWatch watch = new GenerationWatch(city, nodes);
        try {
            for (String other : others) {
                // No -w: with a deadline, iputils ping exits at the first error (the unanswered ARP's "Destination
                // Host Unreachable", about 3 s in); it runs until stopped below.
                Process p = net.start(namespaceOf.get(other), "ping", "-D", "-n", "-i", "0.01", address);
                pings.put(other, p);
                replies.put(other, CompletableFuture.supplyAsync(() -> firstReply(p)));
            }
            Thread.sleep(300); // the pings are running and find no one
            for (Map.Entry<String, CompletableFuture<Instant>> e : replies.entrySet()) {
                if (e.getValue().isDone()) {
                    throw new IllegalStateException(address + " answered " + e.getKey() + " before " + newcomer
                            + " was added: " + e.getValue().getNow(null) + " (was the leave not applied?)");
                }
            }
            Instant t0 = Instant.now();
            long t0Nanos = System.nanoTime();
            JsonNode added = addMember(city, newcomer);
            long restNanos = System.nanoTime() - t0Nanos;
            if (!address.equals(added.path("address").asText())) {
                throw new IllegalStateException("the newcomer " + newcomer + " got " + added.path("address").asText()
                        + ", not the lowest free address " + address + " the pings were started for");
            }
            awaitApplied(city, before);
            watch.stop();
            Map<String, Double> applied = new LinkedHashMap<>();
            for (String node : nodes) {
                applied.put(node, (watch.firstSeen(node, before.get(node) + 1) - t0Nanos) / 1e6);
            }
            progress.accept("  call at " + t0 + "; applied (ms from the call): " + rounded(applied));
            Map<String, Double> pinged = new LinkedHashMap<>();
            for (Map.Entry<String, CompletableFuture<Instant>> e : replies.entrySet()) {
                Instant reply;
                try {
                    reply = e.getValue().get(PING_DEADLINE_SECONDS, TimeUnit.SECONDS);
                } catch (Exception failed) {
                    diagnose(city);
                    throw new IllegalStateException(e.getKey() + " (" + namespaceOf.get(e.getKey()) + ") had no reply"
                            + " from " + newcomer + " at " + address + " within " + PING_DEADLINE_SECONDS + " s: "
                            + (failed.getCause() == null ? failed : failed.getCause().getMessage()));
                }
                pinged.put(e.getKey(), Duration.between(t0, reply).toNanos() / 1e6);
            }
            progress.accept("  first reply (ms from the call): " + rounded(pinged));
            return new Round(newcomer, pinged.values().stream().mapToDouble(d -> d).max().orElseThrow(),
                    applied.values().stream().mapToDouble(d -> d).max().orElseThrow(), restNanos / 1e6);
        } finally {
            watch.close();
            pings.values().forEach(net::stop);
        }
    }

    /**
     * The wall-clock stamp of ping's first reply line; fails with the end of ping's output when it ended without
     * one.
     */
    private static Instant firstReply(Process ping) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(ping.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = REPLY.matcher(line);
                if (m.find()) {
                    String micros = (m.group(2) + "000000").substring(0, 6);
                    return Instant.ofEpochSecond(Long.parseLong(m.group(1)), Long.parseLong(micros) * 1000);
                }
                lines.add(line);
            }
        } catch (IOException e) {
            // the process was stopped
        }
        throw new IllegalStateException("ping ended without a reply: "
                + String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size())));
    }

    private JsonNode addMember(InProcessCity city, String node) throws Exception {
        return city.api("POST", "/api/v1/overlays/" + OVERLAY + "/members", "{\"node\":\"" + node + "\"}");
    }

    /** The lowest host address of the overlay that no member holds: the one the allocator gives next. */
    private String lowestFree(InProcessCity city) throws Exception {
        Set<String> taken = new HashSet<>();
        city.api("GET", "/api/v1/overlays/" + OVERLAY + "/members", null).forEach(m -> taken.add(m.path("address").asText()));
        String prefix = CIDR.substring(0, CIDR.lastIndexOf('.') + 1);
        for (int host = 1; host < 255; host++) {
            if (!taken.contains(prefix + host)) {
                return prefix + host;
            }
        }
        throw new IllegalStateException("overlay " + OVERLAY + " has no free address");
    }

    /** Each agent's applied generation now. */
    private Map<String, Long> generations(InProcessCity city) {
        Map<String, Long> g = new HashMap<>();
        nodes.forEach(n -> g.put(n, city.agent(n).appliedGeneration()));
        return g;
    }

    /**
     * Waits until every agent has applied a generation newer than in {@code before} (a join or a leave changes every
     * member's plans: the node's own and its peers'; null: no such wait), then until the controller sees no node
     * behind ({@code generationGap} 0 for every node: nothing more is on its way).
     */
    private void awaitApplied(InProcessCity city, Map<String, Long> before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> behind = new ArrayList<>(nodes);
        while (true) {
            for (String n : List.copyOf(behind)) {
                boolean done = before != null ? city.agent(n).appliedGeneration() > before.get(n)
                        : city.api("GET", "/api/v1/nodes/" + n, null).path("generationGap").asLong(-1) == 0;
                if (done) {
                    behind.remove(n);
                }
            }
            if (behind.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not applied within 30 s by " + behind);
            }
            Thread.sleep(before == null ? 20 : 1);
        }
        if (before != null) {
            awaitApplied(city, null);
        }
    }

    private static String rounded(Map<String, Double> millis) {
        StringBuilder s = new StringBuilder();
        millis.forEach((node, ms) -> s.append(s.length() == 0 ? "" : ", ").append(node)
                .append(String.format(Locale.ROOT, " %.0f", ms)));
        return s.toString();
    }

    /** Every member pings every other once over the overlay (a check that the start state forwards). */
    private void checkAllPing(InProcessCity city) throws Exception {
        JsonNode members = city.api("GET", "/api/v1/overlays/" + OVERLAY + "/members", null);
        for (JsonNode from : members) {
            for (JsonNode to : members) {
                if (from != to) {
                    String ns = namespaceOf.get(from.path("node").asText());
                    BenchNetwork.Result r = net.runIn(ns, 30, "ping", "-n", "-c", "1", "-w", "10",
                            to.path("address").asText());
                    if (r.exit() != 0) {
                        diagnose(city);
                        throw new IllegalStateException("overlay " + OVERLAY + ": " + from.path("node").asText()
                                + " cannot ping " + to.path("address").asText() + ": " + r.stdout().strip());
                    }
                }
            }
        }
    }

    /** On failure: what the controller planned and what each member's namespace holds, on the progress stream. */
    private void diagnose(InProcessCity city) {
        try {
            progress.accept("diagnosis: plans " + city.api("GET", "/api/v1/overlays/" + OVERLAY + "/plans", null));
            progress.accept("diagnosis: members " + city.api("GET", "/api/v1/overlays/" + OVERLAY + "/members", null));
            for (String node : nodes) {
                String ns = namespaceOf.get(node);
                progress.accept("diagnosis: " + node + " in " + ns + " applied generation "
                        + city.agent(node).appliedGeneration() + ", underlay " + city.agent(node).underlay());
                for (String[] command : List.of(new String[] {"ip", "-d", "-br", "addr"},
                        new String[] {"bridge", "fdb", "show"}, new String[] {"ip", "neigh"})) {
                    progress.accept("diagnosis: " + ns + " " + String.join(" ", command) + ":\n"
                            + net.runIn(ns, 10, command).stdout().strip());
                }
            }
        } catch (Exception e) {
            progress.accept("diagnosis failed: " + e);
        }
    }

    /**
     * Notes, every millisecond, when each agent was first seen at each generation: one thread per agent, because
     * reading an agent's generation waits while that agent applies (one lock), and a slow apply must not delay the
     * look at the others.
     */
    private static final class GenerationWatch implements AutoCloseable {
        private final Map<String, Map<Long, Long>> seen = new ConcurrentHashMap<>();
        private final Map<String, NodeAgent> agents = new HashMap<>();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;

        GenerationWatch(InProcessCity city, List<String> nodes) {
            for (String n : nodes) {
                NodeAgent agent = city.agent(n);
                agents.put(n, agent);
                seen.put(n, new ConcurrentHashMap<>());
                Thread t = new Thread(() -> {
                    while (running) {
                        sample(n);
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "cvbo-generation-watch-" + n);
                t.setDaemon(true);
                threads.add(t);
            }
            threads.forEach(Thread::start);
        }

        private void sample(String node) {
            long generation = agents.get(node).appliedGeneration(); // waits while that agent applies
            seen.get(node).putIfAbsent(generation, System.nanoTime());
        }

        /** Stops watching, after one last look (so what a caller just saw applied is in). */
        void stop() throws InterruptedException {
            close();
            agents.keySet().forEach(this::sample);
        }

        /** When the node was first seen at {@code generation} or later. */
        long firstSeen(String node, long generation) {
            return seen.get(node).entrySet().stream().filter(e -> e.getKey() >= generation)
                    .mapToLong(Map.Entry::getValue).min()
                    .orElseThrow(() -> new IllegalStateException("node " + node + " was not seen at generation " + generation));
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(1000);
            }
        }
    }
}
