package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * Bad switches next to a good one (a real OVS bridge): an unsupported version, a handshake that never ends,
 * malformed and truncated messages, a second connection claiming the OVS bridge's datapath id. Each is handled
 * on its own connection; the OVS bridge stays connected, MASTER, on the same connection throughout.
 */
class BadSwitchInputOvsTest {

    private final long dpid = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private OvsFixture fixture;
    private Southbound southbound;
    private OpenFlowSwitch good;

    @BeforeEach
    void start() throws Exception {
        fixture = new OvsFixture();
        southbound = fixture.southbound("c1", fixture.curator(), OvsFixture.properties(0, Duration.ofSeconds(2)));
        fixture.ovs.bridge(dpid, southbound.port());
        good = OvsFixture.awaitMaster(southbound, dpid);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    private void goodSwitchUnaffected() throws Exception {
        assertThat(southbound.switches().get(DatapathId.of(dpid))).containsSame(good);
        assertThat(good.isConnected()).isTrue();
        assertThat(good.role()).isEqualTo(Role.MASTER);
        List<OFMessage> echo = good.request(OFChannelHandler.FACTORY.buildEchoRequest().setData(new byte[0]).build())
                .get(5, TimeUnit.SECONDS);
        assertThat(echo.get(0)).isInstanceOf(OFEchoReply.class);
    }

    @Test
    void unsupportedVersionGetsHelloFailedAndIsClosed() throws Exception {
        try (FakeSwitch of10 = new FakeSwitch(southbound.port(), 42, false)) {
            of10.sendRaw(new byte[] {1, 0, 0, 8, 0, 0, 0, 1}); // OpenFlow 1.0 HELLO, no version bitmap
            await().atMost(Duration.ofSeconds(5)).until(of10::isClosedByController);
            // OFPT_ERROR (type 1), OFPET_HELLO_FAILED (0), OFPHFC_INCOMPATIBLE (0)
            assertThat(of10.frames).anySatisfy(f -> assertThat(new byte[] {f[1], f[8], f[9], f[10], f[11]})
                    .containsExactly(1, 0, 0, 0, 0));
        }
        try (FakeSwitch future = new FakeSwitch(southbound.port(), 43, false)) {
            future.sendRaw(new byte[] {9, 0, 0, 8, 0, 0, 0, 1}); // a wire version openflowj does not know
            await().atMost(Duration.ofSeconds(5)).until(future::isClosedByController);
        }
        goodSwitchUnaffected();
    }

    @Test
    void switchThatNeverFinishesItsHandshakeIsClosedAfterTheTimeout() throws Exception {
        try (FakeSwitch stalled = new FakeSwitch(southbound.port(), 44, false)) {
            stalled.hello(); // and never answers FEATURES_REQUEST
            Thread.sleep(1_000);
            assertThat(stalled.isClosedByController()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(stalled::isClosedByController);
            assertThat(southbound.switches().get(DatapathId.of(44))).isEmpty();
        }
        goodSwitchUnaffected();
    }

    @Test
    void malformedAndTruncatedMessagesAreDroppedWithoutCostingTheConnection() throws Exception {
        try (FakeSwitch noisy = new FakeSwitch(southbound.port(), 45, true)) {
            noisy.hello();
            await().atMost(Duration.ofSeconds(5)).until(() -> southbound.switches().get(DatapathId.of(45))
                    .map(s -> s.role() == Role.MASTER).orElse(false));
            OpenFlowSwitch sw = southbound.switches().get(DatapathId.of(45)).orElseThrow();
            // PACKET_IN cut short (header says 16 bytes); an unknown message type; a FLOW_REMOVED of garbage.
            noisy.sendRaw(new byte[] {4, 10, 0, 16, 0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8});
            noisy.sendRaw(new byte[] {4, (byte) 200, 0, 8, 0, 0, 0, 10});
            byte[] garbage = new byte[64];
            ThreadLocalRandom.current().nextBytes(garbage);
            garbage[0] = 4;
            garbage[1] = 11;
            garbage[2] = 0;
            garbage[3] = 64;
            noisy.sendRaw(garbage);
            List<OFMessage> echo = sw.request(OFChannelHandler.FACTORY.buildEchoRequest().setData(new byte[0]).build())
                    .get(5, TimeUnit.SECONDS);
            assertThat(echo.get(0)).isInstanceOf(OFEchoReply.class);
            assertThat(noisy.isClosedByController()).isFalse();

            // A length below the header's own size cannot be framed past: that connection (only) is closed.
            noisy.sendRaw(new byte[] {4, 2, 0, 4, 0, 0, 0, 11});
            await().atMost(Duration.ofSeconds(5)).until(noisy::isClosedByController);
        }
        goodSwitchUnaffected();
    }

    @Test
    void secondConnectionClaimingALiveDatapathIdIsRefused() throws Exception {
        try (FakeSwitch impostor = new FakeSwitch(southbound.port(), dpid, true)) {
            impostor.hello();
            await().atMost(Duration.ofSeconds(5)).until(impostor::isClosedByController);
        }
        assertThat(southbound.switches().refusedDuplicates()).isEqualTo(1);
        goodSwitchUnaffected();
    }

    @Test
    void switchWithoutBundlesGetsItsFlowsOneByOne() throws Exception {
        try (FakeSwitch old = new FakeSwitch(southbound.port(), 46, true)) {
            old.hello();
            await().atMost(Duration.ofSeconds(5)).until(() -> southbound.switches().get(DatapathId.of(46))
                    .map(s -> s.role() == Role.MASTER).orElse(false));
            southbound.desiredFlows().put(DatapathId.of(46), new io.civitas.overlay.openflow.FlowProgram(
                    List.of(OpenFlowOvsTest.flow(1, 2, 100), OpenFlowOvsTest.flow(3, 4, 100)), List.of()));
            await().atMost(Duration.ofSeconds(10)).until(() -> southbound.reconciler().lastReport(DatapathId.of(46))
                    .map(r -> r.error() == null && r.flowsAdded() == 2).orElse(false));
            assertThat(old.received).filteredOn(m -> m.getType() == org.projectfloodlight.openflow.protocol.OFType.FLOW_MOD)
                    .hasSize(2);
        }
        goodSwitchUnaffected();
    }
}
