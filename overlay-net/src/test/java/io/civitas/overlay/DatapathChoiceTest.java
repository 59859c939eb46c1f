package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import io.civitas.overlay.DatapathChoice.Kind;
import io.civitas.overlay.DatapathChoice.Mode;
import io.civitas.protocol.OverlayPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The choice rules alone (pure); {@link DatapathChoiceNamespaceTest} runs both datapaths for real. */
class DatapathChoiceTest {

    private static OverlayPlan plan(int localPort, OverlayPlan.Endpoint relay) {
        return new OverlayPlan("o", 7, "n1", "10.9.0.1", 24, "02:00:00:00:00:01", 1450, "192.0.2.1", localPort,
                List.of(new OverlayPlan.Peer("n2", "192.0.2.2", 4789, "02:00:00:00:00:02", "10.9.0.2")), relay);
    }

    @Test
    void kernelWhenItCanUserspaceWhenItMust() {
        OverlayPlan direct = plan(4789, null);
        assertThat(DatapathChoice.choose(direct, Mode.AUTO, true).kind()).isEqualTo(Kind.KERNEL);
        assertThat(DatapathChoice.choose(direct, Mode.AUTO, false)).isEqualTo(new DatapathChoice.Choice(Kind.USERSPACE, "kernel has no vxlan"));
        assertThat(DatapathChoice.choose(direct, Mode.USERSPACE, true).kind()).isEqualTo(Kind.USERSPACE);
        assertThat(DatapathChoice.choose(direct, Mode.KERNEL, false).kind()).as("configured wins over the probe").isEqualTo(Kind.KERNEL);
    }

    @Test
    void behindNatOrAnotherPortAlwaysGoesToUserspace() {
        OverlayPlan nat = plan(4789, new OverlayPlan.Endpoint("192.0.2.9", 4790));
        assertThat(DatapathChoice.choose(nat, Mode.KERNEL, true).kind()).isEqualTo(Kind.USERSPACE);
        assertThat(DatapathChoice.choose(nat, Mode.AUTO, true).reason()).startsWith("behind NAT");
        assertThat(DatapathChoice.choose(plan(4799, null), Mode.AUTO, true).kind()).isEqualTo(Kind.USERSPACE);
    }
}
