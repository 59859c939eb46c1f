package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel datapath for real, in two network namespaces joined by a veth pair (the underlay, 10.200.0.0/24
 * inside the namespaces only). Needs root and iproute2: without them it fails, saying so, rather than skip.
 */
class KernelDatapathNamespaceTest {

    private static final int VNI = 4242;
    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private final String ns1 = "cvt1-" + suffix;
    private final String ns2 = "cvt2-" + suffix;
    private final List<String> namespaces = new ArrayList<>();
    private final Shell host = new Shell(null);

    private final Overlay overlay = new Overlay("ns-test", VNI, "10.200.100.0/24");
    private final List<Member> members = List.of(
            new Member("n1", "10.200.100.1", Macs.forMember("ns-test", "n1")),
            new Member("n2", "10.200.100.2", Macs.forMember("ns-test", "n2")));
    private final Map<String, String> underlay = Map.of("n1", "10.200.0.1", "n2", "10.200.0.2");

    @BeforeEach
    void createUnderlay() {
        requireRootAndIproute2();
        for (String ns : List.of(ns1, ns2)) {
            host.check("ip", "netns", "add", ns);
            namespaces.add(ns);
            host.check("ip", "-n", ns, "link", "set", "lo", "up");
        }
        // Made inside ns1 with its peer moved straight to ns2: nothing appears in the host's namespace.
        host.check("ip", "-n", ns1, "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", ns2);
        host.check("ip", "-n", ns1, "addr", "add", "10.200.0.1/24", "dev", "u0");
        host.check("ip", "-n", ns2, "addr", "add", "10.200.0.2/24", "dev", "u0");
        host.check("ip", "-n", ns1, "link", "set", "u0", "up");
        host.check("ip", "-n", ns2, "link", "set", "u0", "up");
    }

    @AfterEach
    void deleteNamespaces() {
        for (String ns : namespaces) {
            host.run("ip", "netns", "del", ns);
        }
    }

    @Test
    void twoNamespacesPingOverTheOverlayAndRemoveCleansUp() {
        KernelDatapath dp1 = new KernelDatapath("u0", ns1);
        KernelDatapath dp2 = new KernelDatapath("u0", ns2);
        dp1.apply(OverlayPlans.forNode(overlay, "n1", members, underlay, 1500));
        dp2.apply(OverlayPlans.forNode(overlay, "n2", members, underlay, 1500));

        new Shell(ns1).check("ping", "-c", "1", "-W", "2", "10.200.100.2");
        new Shell(ns2).check("ping", "-c", "1", "-W", "2", "10.200.100.1");
        assertThat(new KernelDatapath("u0", ns1).installed()).as("found by name after a restart").containsExactly(VNI);
        assertThat(new Shell(ns1).check("ip", "-o", "link", "show", "dev", "cv-vx-" + VNI)).contains("mtu 1450");

        String before = snapshot(ns1);
        // A restarted agent: a new datapath object applies the same plan again.
        new KernelDatapath("u0", ns1).apply(OverlayPlans.forNode(overlay, "n1", members, underlay, 1500));
        assertThat(snapshot(ns1)).isEqualTo(before);
        assertThat(new Shell(ns1).check("bridge", "fdb", "show", "dev", "cv-vx-" + VNI).lines()
                .filter(l -> l.contains(" dst ")).count()).as("one unicast and one flood entry for the one peer").isEqualTo(2);

        dp1.remove(VNI);
        assertThat(dp1.installed()).isEmpty();
        assertThat(new Shell(ns1).check("ip", "-o", "link", "show")).doesNotContain("cv-");
        dp1.remove(VNI); // nothing left: no error
    }

    @Test
    void changedMembershipReplacesStaleEntries() {
        KernelDatapath dp1 = new KernelDatapath("u0", ns1);
        dp1.apply(OverlayPlans.forNode(overlay, "n1", members, underlay, 1500));
        List<Member> moved = List.of(members.get(0), new Member("n3", "10.200.100.3", Macs.forMember("ns-test", "n3")));
        dp1.apply(OverlayPlans.forNode(overlay, "n1", moved, Map.of("n1", "10.200.0.1", "n3", "10.200.0.3"), 1500));

        String fdb = new Shell(ns1).check("bridge", "fdb", "show", "dev", "cv-vx-" + VNI);
        assertThat(fdb).contains("dst 10.200.0.3").doesNotContain("dst 10.200.0.2");
        String neigh = new Shell(ns1).check("ip", "neigh", "show", "dev", "cv-br-" + VNI);
        assertThat(neigh).contains("10.200.100.3").doesNotContain("10.200.100.2");
    }

    @Test
    void failedApplyRollsBackTheDevicesItCreated() {
        KernelDatapath broken = new KernelDatapath("no-such-dev", ns1);
        assertThatThrownBy(() -> broken.apply(OverlayPlans.forNode(overlay, "n1", members, underlay, 1500)))
                .isInstanceOf(DatapathException.class)
                .hasMessageContaining("ip link add cv-vx-" + VNI)
                .hasMessageContaining("rolled back by deleting [cv-br-" + VNI + "]");
        assertThat(broken.installed()).isEmpty();
    }

    /**
     * Links (name, flags, mtu, master, MAC), IPv4 addresses, permanent FDB and neighbour entries: what the
     * datapath writes, without what the kernel changes on its own (learned FDB entries, IPv6 DAD flags).
     */
    private String snapshot(String ns) {
        Shell s = new Shell(ns);
        String permanentFdb = s.check("bridge", "fdb", "show", "dev", "cv-vx-" + VNI).lines()
                .filter(l -> l.contains("permanent")).sorted().collect(Collectors.joining("\n"));
        return String.join("\n",
                s.check("ip", "-o", "link", "show").replaceAll("state \\S+", "").replaceAll("qlen \\d+", ""),
                s.check("ip", "-o", "-4", "addr", "show").replaceAll("valid_lft.*", ""),
                permanentFdb,
                s.check("ip", "neigh", "show", "dev", "cv-br-" + VNI, "nud", "permanent"));
    }

    private void requireRootAndIproute2() {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("KernelDatapathNamespaceTest needs root (network namespaces and devices); running as "
                    + System.getProperty("user.name") + ". Run the build as root, as CI does.");
        }
        try {
            host.check("ip", "-V");
            host.check("bridge", "-V");
        } catch (DatapathException e) {
            fail("KernelDatapathNamespaceTest needs iproute2 (ip and bridge): " + e.getMessage());
        }
        if (host.run("sh", "-c", "command -v ping").exit() != 0) {
            fail("KernelDatapathNamespaceTest needs ping (Debian: apt-get install iputils-ping)");
        }
    }
}
