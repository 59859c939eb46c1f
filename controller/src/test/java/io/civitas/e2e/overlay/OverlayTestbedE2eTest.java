package io.civitas.e2e.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import io.civitas.controller.ControllerApplication;
import io.civitas.e2e.CityApi;
import io.civitas.e2e.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 4's testbed for real: a controller on the host side (with the relay), agents as separate processes in
 * network namespaces (board-1 and the VM host on the kernel datapath, board-2 forced into userspace, board-3
 * behind a NAT router and so in userspace through the relay), a "VM" namespace on the VM host's overlay bridge.
 * The methods run in order on one city; each proves one thing a user relies on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayTestbedE2eTest {

    private static final Path AGENT_JAR = Path.of("..", "node-agent", "target", "node-agent-0.1.0-SNAPSHOT-exec.jar");
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final List<String> NODES = List.of("board-1", "board-2", "vmhost-1", "board-3");

    static Testbed bed;
    static Path work;
    static int restPort;
    static int wampPort;
    static ConfigurableApplicationContext controller;
    static CityApi api;
    static final Map<String, String> ids = new LinkedHashMap<>();
    static final Map<String, Process> agents = new LinkedHashMap<>();
    static final Map<String, String> tokens = new LinkedHashMap<>();
    static final Map<String, String> cityNet = new LinkedHashMap<>();

    @BeforeAll
    static void buildCity() throws Exception {
        if (!Files.isRegularFile(AGENT_JAR)) {
            throw new AssertionError(AGENT_JAR.toAbsolutePath() + " is missing: build the agent first (mvn install)");
        }
        bed = new Testbed().build();
        work = Files.createTempDirectory("civitas-overlay-e2e");
        restPort = FreePorts.next();
        wampPort = FreePorts.next();
        startController();
        for (String name : NODES) {
            JsonNode created = api.post("/api/v1/nodes", "{\"name\":\"" + name + "\",\"kind\":\""
                    + (name.startsWith("vm") ? "VM" : "BOARD") + "\",\"location\":{\"lat\":38.19,\"lon\":15.55}}").body();
            ids.put(name, created.get("id").asText());
            tokens.put(name, created.get("enrollmentToken").asText());
        }
        for (String name : NODES) {
            startAgent(name);
        }
        await().atMost(CONVERGE).untilAsserted(() -> {
            for (String name : NODES) {
                assertThat(api.status(ids.get(name))).as(name).isEqualTo("ONLINE");
            }
        });
    }

    @AfterAll
    static void tearDown() {
        agents.values().forEach(Process::destroyForcibly);
        if (controller != null) {
            controller.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void everyPairPingsOverTheOverlayTheNatBoardThroughTheRelay() throws Exception {
        assertThat(api.post("/api/v1/overlays", "{\"name\":\"city-net\",\"vni\":5001,\"cidr\":\"10.77.0.0/24\"}").status())
                .isEqualTo(201);
        for (String name : NODES) {
            assertThat(api.post("/api/v1/overlays/city-net/members", "{\"node\":\"" + ids.get(name) + "\"}").status())
                    .as(name).isEqualTo(201);
        }
        awaitConverged();
        for (JsonNode m : api.get("/api/v1/overlays/city-net/members").body()) {
            String name = nameOf(m.get("node").asText());
            cityNet.put(name, m.get("address").asText());
        }
        assertThat(cityNet).hasSize(4);
        JsonNode board3 = memberView("city-net", "board-3");
        assertThat(board3.get("behindNat").asBoolean()).isTrue();
        assertThat(board3.get("datapath").asText()).isEqualTo("userspace");
        assertThat(memberView("city-net", "board-2").get("datapath").asText()).isEqualTo("userspace");
        assertThat(memberView("city-net", "board-1").get("datapath").asText()).isEqualTo("kernel");

        // The VM takes an address high in the overlay's range and hangs off the VM host's overlay bridge.
        bed.run("ip", "-n", bed.ns("vmhost-1"), "link", "set", "vm0", "master", "cv-br-5001");
        bed.run("ip", "-n", bed.ns("vm"), "addr", "add", "10.77.0.200/24", "dev", "eth0");
        cityNet.put("vm", "10.77.0.200");

        for (String from : cityNet.keySet()) {
            for (String to : cityNet.keySet()) {
                if (!from.equals(to)) {
                    String target = cityNet.get(to);
                    await(from + " -> " + to).atMost(Duration.ofSeconds(20)).until(() -> bed.ping(from, target));
                }
            }
        }
    }

    @Test
    @Order(2)
    void agentsReportEveryPeerReachable() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String name : NODES) {
                JsonNode status = memberView("city-net", name).get("status");
                assertThat(status).as(name + " status").isNotNull();
                assertThat(status.get("up").asBoolean()).as(name + " up").isTrue();
                assertThat(status.get("peers")).as(name + " peers").hasSize(3);
                status.get("peers").forEach(p -> assertThat(p.get("reachable").asBoolean())
                        .as(name + " reaches " + p.get("nodeId").asText()).isTrue());
            }
        });
    }

    @Test
    @Order(3)
    void aSecondOverlayIsIsolatedByPingAndByCapture() throws Exception {
        assertThat(api.post("/api/v1/overlays", "{\"name\":\"other-net\",\"vni\":5002,\"cidr\":\"10.78.0.0/24\"}").status())
                .isEqualTo(201);
        for (String name : List.of("board-2", "vmhost-1")) {
            assertThat(api.post("/api/v1/overlays/other-net/members", "{\"node\":\"" + ids.get(name) + "\"}").status())
                    .isEqualTo(201);
        }
        awaitConverged();
        // vm2 hangs off the VM host's other-net bridge; it has no other address that could answer for it.
        bed.run("ip", "-n", bed.ns("vmhost-1"), "link", "set", "vm1", "master", "cv-br-5002");
        bed.run("ip", "-n", bed.ns("vm2"), "addr", "add", "10.78.0.200/24", "dev", "eth0");
        String vm2 = "10.78.0.200";
        String b2 = address("other-net", "board-2");
        await().atMost(Duration.ofSeconds(20)).until(() -> bed.ping("board-2", vm2));
        await().atMost(Duration.ofSeconds(20)).until(() -> bed.ping("vm2", address("other-net", "vmhost-1")));

        // From city-net, other-net's VM cannot be reached even with a route pointing into the overlay.
        assertThat(bed.in("board-1", "ip", "route", "add", "10.78.0.0/24", "dev", "cv-br-5001")).isTrue();
        assertThat(bed.in("vm", "ip", "route", "add", "10.78.0.0/24", "dev", "eth0")).isTrue();
        assertThat(bed.ping("board-1", vm2)).isFalse();
        assertThat(bed.ping("vm", vm2)).isFalse();

        // A capture on board-1's city-net device while board-2 pings vm2 in other-net: nothing crosses.
        Thread pinger = new Thread(() -> {
            for (int i = 0; i < 6; i++) {
                bed.ping("board-2", vm2);
            }
        });
        pinger.start();
        CityApi.Raw pcap = api.postRaw("/api/v1/nodes/" + ids.get("board-1") + "/captures",
                "{\"overlay\":\"city-net\",\"filter\":\"icmp and net 10.78.0.0/24\",\"maxPackets\":50,\"maxSeconds\":3}");
        pinger.join();
        assertThat(pcap.status()).as(new String(pcap.body())).isEqualTo(200);
        assertThat(pcap.contentType()).isEqualTo("application/vnd.tcpdump.pcap");
        assertThat(pcapPackets(pcap.body())).isZero();

        // The same capture on board-2's other-net device sees the pings: the capture itself works.
        Thread again = new Thread(() -> {
            for (int i = 0; i < 6; i++) {
                bed.ping("vm2", b2);
            }
        });
        again.start();
        CityApi.Raw seen = api.postRaw("/api/v1/nodes/" + ids.get("board-2") + "/captures",
                "{\"overlay\":\"other-net\",\"filter\":\"icmp\",\"maxPackets\":4,\"maxSeconds\":5}");
        again.join();
        assertThat(seen.status()).as(new String(seen.body())).isEqualTo(200);
        assertThat(pcapPackets(seen.body())).isBetween(1, 4);
    }

    @Test
    @Order(4)
    void removingAMemberStopsItsTrafficAndRemovesItsDevices() throws Exception {
        String board1 = cityNet.get("board-1");
        assertThat(bed.overlayDevices("board-1")).contains("cv-br-5001", "cv-tap-5001", "cv-vx-5001");
        JsonNode left = api.send("DELETE", "/api/v1/overlays/city-net/members/" + ids.get("board-1"), null).body();
        assertThat(left.get("member").asBoolean()).isFalse();
        awaitConverged();
        await().atMost(Duration.ofSeconds(20)).until(() -> bed.overlayDevices("board-1").isEmpty());
        assertThat(bed.ping("board-2", board1)).isFalse();
        assertThat(bed.ping("vmhost-1", board1)).isFalse();
        // the others still talk
        assertThat(bed.ping("board-2", cityNet.get("board-3"))).isTrue();
    }

    @Test
    @Order(5)
    void aRestartedAgentReappliesWithoutDuplicatingDevices() throws Exception {
        List<String> before = bed.overlayDevices("vmhost-1");
        long generation = api.node(ids.get("vmhost-1")).get("desiredGeneration").asLong();
        Process old = agents.get("vmhost-1");
        old.destroy();
        assertThat(old.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        startAgent("vmhost-1");
        await().atMost(CONVERGE).until(() -> "ONLINE".equals(api.status(ids.get("vmhost-1"))));
        awaitConverged();
        assertThat(bed.overlayDevices("vmhost-1")).isEqualTo(before);
        assertThat(api.node(ids.get("vmhost-1")).get("desiredGeneration").asLong()).isEqualTo(generation);
        await().atMost(Duration.ofSeconds(20)).until(() -> bed.ping("vmhost-1", cityNet.get("board-2")));
        await().atMost(Duration.ofSeconds(20)).until(() -> bed.ping("vm", cityNet.get("board-3")));
    }

    @Test
    @Order(6)
    void aRestartedControllerPushesNothingNeedlessly() throws Exception {
        Map<String, Long> generations = new LinkedHashMap<>();
        for (String name : NODES) {
            generations.put(name, api.node(ids.get(name)).get("desiredGeneration").asLong());
        }
        controller.close();
        startController();
        await().atMost(CONVERGE).untilAsserted(() -> {
            for (String name : NODES) {
                assertThat(api.status(ids.get(name))).as(name).isEqualTo("ONLINE");
            }
        });
        awaitConverged();
        for (String name : NODES) {
            JsonNode node = api.node(ids.get(name));
            assertThat(node.get("desiredGeneration").asLong()).as(name).isEqualTo(generations.get(name));
            assertThat(node.get("appliedGeneration").asLong()).as(name).isEqualTo(generations.get(name));
        }
        // the relay came back with the controller: the NAT'ed board still talks
        await().atMost(Duration.ofSeconds(20)).until(() -> bed.ping("board-3", cityNet.get("board-2")));
    }

    @Test
    @Order(7)
    void badInputIsRefusedClearlyAndChangesNothing() throws Exception {
        JsonNode overlaysBefore = api.get("/api/v1/overlays").body();
        Map<String, Long> generations = new LinkedHashMap<>();
        for (String name : NODES) {
            generations.put(name, api.node(ids.get(name)).get("desiredGeneration").asLong());
        }
        CityApi.Response overlap = api.post("/api/v1/overlays", "{\"name\":\"overlap\",\"vni\":5003,\"cidr\":\"10.77.0.128/25\"}");
        assertThat(overlap.status()).isEqualTo(409);
        assertThat(overlap.body().get("field").asText()).isEqualTo("cidr");
        assertThat(overlap.body().get("detail").asText()).contains("city-net");

        CityApi.Response vni = api.post("/api/v1/overlays", "{\"name\":\"twin\",\"vni\":5001,\"cidr\":\"10.79.0.0/24\"}");
        assertThat(vni.status()).isEqualTo(409);
        assertThat(vni.body().get("field").asText()).isEqualTo("vni");

        CityApi.Response notANode = api.post("/api/v1/overlays/city-net/members", "{\"node\":\"n000000000000\"}");
        assertThat(notANode.status()).isEqualTo(400);
        assertThat(notANode.body().get("field").asText()).isEqualTo("node");

        // A /30 holds two addresses: the third member is refused and gets nothing.
        assertThat(api.post("/api/v1/overlays", "{\"name\":\"tiny\",\"vni\":5004,\"cidr\":\"10.80.0.0/30\"}").status())
                .isEqualTo(201);
        assertThat(api.post("/api/v1/overlays/tiny/members", "{\"node\":\"" + ids.get("board-2") + "\"}").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/overlays/tiny/members", "{\"node\":\"" + ids.get("board-3") + "\"}").status()).isEqualTo(201);
        long vmhGeneration = api.node(ids.get("vmhost-1")).get("desiredGeneration").asLong();
        CityApi.Response full = api.post("/api/v1/overlays/tiny/members", "{\"node\":\"" + ids.get("vmhost-1") + "\"}");
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.body().get("detail").asText()).contains("exhausted");
        assertThat(api.node(ids.get("vmhost-1")).get("desiredGeneration").asLong()).isEqualTo(vmhGeneration);
        assertThat(api.get("/api/v1/overlays/tiny/members").body()).hasSize(2);

        assertThat(api.send("DELETE", "/api/v1/overlays/tiny", null).status()).isEqualTo(204);
        awaitConverged();
        assertThat(api.get("/api/v1/overlays").body()).isEqualTo(overlaysBefore);
        assertThat(bed.overlayDevices("board-2")).noneMatch(d -> d.endsWith("-5004"));
    }

    // --- helpers ---------------------------------------------------------------------------------------

    static void startController() throws IOException {
        controller = new SpringApplicationBuilder(ControllerApplication.class).run(
                "--server.port=" + restPort,
                "--civitas.wamp.port=" + wampPort,
                "--civitas.data-dir=" + work.resolve("controller"),
                "--civitas.overlay.relay-address=" + bed.hostAddress);
        api = new CityApi(URI.create("http://" + bed.hostAddress + ":" + restPort),
                Files.readString(work.resolve("controller").resolve("admin-token")).trim());
    }

    static void startAgent(String name) throws IOException {
        List<String> args = new ArrayList<>(List.of("--controller", "http://" + bed.hostAddress + ":" + restPort,
                "--state-dir", work.resolve("agent-" + name).toString(), "--sensors", "temperature"));
        if (!Files.exists(work.resolve("agent-" + name).resolve("credential.json"))) {
            args.addAll(List.of("--token", tokens.get(name)));
        }
        if (name.equals("board-2")) {
            args.addAll(List.of("--datapath", "userspace"));
        }
        agents.put(name, bed.agent(name, AGENT_JAR, args, Path.of("target", "overlay-e2e-" + name + ".log")));
    }

    /** Every node has applied the generation it should have. */
    static void awaitConverged() {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (String name : NODES) {
                JsonNode node = api.node(ids.get(name));
                assertThat(node.get("generationGap").asLong()).as(name + " generation gap").isZero();
            }
        });
    }

    static JsonNode memberView(String overlay, String name) throws Exception {
        for (JsonNode m : api.get("/api/v1/overlays/" + overlay + "/members").body()) {
            if (m.get("node").asText().equals(ids.get(name))) {
                return m;
            }
        }
        throw new AssertionError(name + " is not a member of " + overlay);
    }

    static String address(String overlay, String name) throws Exception {
        return memberView(overlay, name).get("address").asText();
    }

    static String nameOf(String id) {
        return ids.entrySet().stream().filter(e -> e.getValue().equals(id)).findFirst().orElseThrow().getKey();
    }

    /** Packets in a libpcap file: walks the record headers after the 24-byte global header. */
    static int pcapPackets(byte[] pcap) {
        ByteBuffer b = ByteBuffer.wrap(pcap);
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        assertThat(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d || Integer.reverseBytes(magic) == 0xa1b2c3d4)
                .as("pcap magic number").isTrue();
        if (Integer.reverseBytes(magic) == 0xa1b2c3d4) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        int count = 0;
        int at = 24;
        while (at + 16 <= pcap.length) {
            int included = b.getInt(at + 8);
            at += 16 + included;
            count++;
        }
        assertThat(at).as("pcap records end at the file's end").isEqualTo(pcap.length);
        return count;
    }

}
