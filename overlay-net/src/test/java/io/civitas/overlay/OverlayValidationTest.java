package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OverlayValidationTest {

    @Test
    void validOverlayKeepsItsFields() {
        Overlay o = new Overlay("city-sensors", 42, "10.10.0.0/24", 1400);
        assertThat(o.prefixLength()).isEqualTo(24);
        assertThat(o.mtu()).isEqualTo(1400);
        assertThat(new Overlay("a", 1, "10.0.0.0/8").mtu()).isEqualTo(Overlay.DEFAULT_MTU);
    }

    @Test
    void badNameIsRefusedNamingTheField() {
        assertInvalid(() -> new Overlay("City", 1, "10.0.0.0/24", 1450), "name: 'City'");
        assertInvalid(() -> new Overlay("", 1, "10.0.0.0/24", 1450), "name:");
        assertInvalid(() -> new Overlay(null, 1, "10.0.0.0/24", 1450), "name:");
        assertInvalid(() -> new Overlay("a".repeat(33), 1, "10.0.0.0/24", 1450), "name:");
    }

    @Test
    void vniOutsideTwentyFourBitsIsRefused() {
        assertInvalid(() -> new Overlay("a", 0, "10.0.0.0/24", 1450), "vni: 0 is out of range 1..16777215");
        assertInvalid(() -> new Overlay("a", 16_777_216, "10.0.0.0/24", 1450), "vni:");
        assertThat(new Overlay("a", 16_777_215, "10.0.0.0/24", 1450).vni()).isEqualTo(16_777_215);
    }

    @Test
    void malformedCidrIsRefusedWithTheReason() {
        assertInvalid(() -> new Overlay("a", 1, "10.0.0.0", 1450), "cidr: '10.0.0.0' has no prefix length");
        assertInvalid(() -> new Overlay("a", 1, "10.0.0.256/24", 1450), "cidr: '10.0.0.256' is not an IPv4 address");
        assertInvalid(() -> new Overlay("a", 1, "10.0.0.5/24", 1450), "did you mean 10.0.0.0/24?");
        assertInvalid(() -> new Overlay("a", 1, "10.0.0.0/31", 1450), "cidr: prefix length /31");
        assertInvalid(() -> new Overlay("a", 1, "10.0.0.0/x", 1450), "cidr:");
        assertInvalid(() -> new Overlay("a", 1, null, 1450), "cidr: missing");
    }

    @Test
    void mtuOutOfRangeIsRefused() {
        assertInvalid(() -> new Overlay("a", 1, "10.0.0.0/24", 100), "mtu: 100 is out of range 576..9000");
        assertInvalid(() -> new Overlay("a", 1, "10.0.0.0/24", 9001), "mtu:");
    }

    @Test
    void deviceNamesFitTheKernelLimitAndMapBackToTheVni() {
        assertThat(DeviceNames.tap(Overlay.MAX_VNI)).hasSize(15);
        assertThat(DeviceNames.vniOf(DeviceNames.vxlan(42))).hasValue(42);
        assertThat(DeviceNames.vniOf("eth0")).isEmpty();
    }

    private static void assertInvalid(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOf(OverlayException.class).hasMessageContaining(message)
                .extracting(e -> ((OverlayException) e).reason()).isEqualTo(OverlayException.Reason.INVALID);
    }
}
