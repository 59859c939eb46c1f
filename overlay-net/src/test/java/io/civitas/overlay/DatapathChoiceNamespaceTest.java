package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import io.civitas.overlay.DatapathChoice.Kind;
import io.civitas.overlay.DatapathChoice.Mode;
import io.civitas.protocol.OverlayPlan;
import io.civitas.protocol.Underlay;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both datapaths side by side on two nodes (namespaces): overlay 1 on the kernel (port 4789), overlay 2 on
 * userspace (port 4799); then overlay 1 moves to userspace and shares overlay 2's socket. Root; fails, never skips.
 */
class DatapathChoiceNamespaceTest {

    private TestNetwork net;
    private String nsA;
    private String nsB;
    private DatapathChoice nodeA;
    private DatapathChoice nodeB;

    @BeforeEach
    void underlay() {
        net = TestNetwork.create("DatapathChoiceNamespaceTest");
        nsA = net.namespace("ca");
        nsB = net.namespace("cb");
        net.veth(nsA, "u0", "10.202.0.1/24", nsB, "u0", "10.202.0.2/24");
    }

    @AfterEach
    void cleanUp() {
        for (DatapathChoice d : new DatapathChoice[] {nodeA, nodeB}) {
            if (d != null) {
                d.close();
            }
        }
        net.close();
    }

    private static OverlayPlan plan(int vni, String node, int port) {
        Overlay overlay = new Overlay("side-" + vni, vni, "10.202." + vni + ".0/24");
        List<Member> members = List.of(
                new Member("a", "10.202." + vni + ".1", Macs.forMember(overlay.name(), "a")),
                new Member("b", "10.202." + vni + ".2", Macs.forMember(overlay.name(), "b")));
        Map<String, Underlay> underlay = Map.of(
                "a", new Underlay("10.202.0.1", port, 1500, false, null),
                "b", new Underlay("10.202.0.2", port, 1500, false, null));
        return OverlayPlans.forNode(overlay, node, members, underlay, null);
    }

    @Test
    void kernelAndUserspaceOverlaysRunSideBySideAndAnOverlayCanMove() {
        assertThat(DatapathChoice.kernelHasVxlan(nsA)).as("probe in a namespace of this machine").isTrue();
        nodeA = DatapathChoice.create(Mode.AUTO, "u0", nsA);
        nodeB = DatapathChoice.create(Mode.AUTO, "u0", nsB);
        for (String node : List.of("a", "b")) {
            DatapathChoice d = node.equals("a") ? nodeA : nodeB;
            d.apply(plan(1, node, 4789));
            d.apply(plan(2, node, 4799));
        }
        assertThat(nodeA.kindOf(1)).isEqualTo(Kind.KERNEL);
        assertThat(nodeA.kindOf(2)).isEqualTo(Kind.USERSPACE);
        assertThat(nodeA.installed()).containsExactly(1, 2);
        net.ping(nsA, "10.202.1.2", 1);
        net.ping(nsA, "10.202.2.2", 1);
        net.ping(nsB, "10.202.2.1", 1);

        // Overlay 1 moves to userspace on both nodes: its kernel devices go, a TAP comes, one socket serves both.
        nodeA.apply(plan(1, "a", 4799));
        nodeB.apply(plan(1, "b", 4799));
        assertThat(nodeA.kindOf(1)).isEqualTo(Kind.USERSPACE);
        assertThat(net.in(nsA, "ip", "-o", "link", "show")).doesNotContain("cv-br-1").doesNotContain("cv-vx-1");
        assertThat(net.in(nsA, "ss", "-uan")).containsOnlyOnce(":4799");
        net.ping(nsA, "10.202.1.2", 1);
        net.ping(nsB, "10.202.2.1", 1);
        assertThat(nodeA.status().overlays()).isEqualTo(Map.of(1, Kind.USERSPACE, 2, Kind.USERSPACE));

        nodeA.remove(1);
        nodeA.remove(2);
        assertThat(nodeA.installed()).isEmpty();
        assertThat(net.in(nsA, "ip", "-o", "link", "show")).doesNotContain("cv-");
    }
}
