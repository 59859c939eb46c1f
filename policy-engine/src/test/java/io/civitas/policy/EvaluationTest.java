package io.civitas.policy;

import io.civitas.policy.facts.Node;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.civitas.policy.Fixtures.board;
import static io.civitas.policy.Fixtures.reading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvaluationTest {

    static final String SAMPLING = """
            rule "pm25 every minute"
            when
              $n : Node( sensors contains "pm25" )
            then
              insertLogical(new SamplingPlan($n.getId(), "pm25", 60000L));
              insertLogical(new OverlayMembership($n.getId(), "env-net"));
            end
            rule "pm25 fast while high"
            when
              $n : Node( sensors contains "pm25" )
              SensorReading( nodeId == $n.id, sensor == "pm25", value > 50 )
            then
              insertLogical(new SamplingPlan($n.getId(), "pm25", 5000L));
            end
            """;

    @Test
    void loopingRuleFailsQuicklyNamingTheRule() throws Exception {
        PolicySet loop = Fixtures.compile("""
                rule "touch every node forever"
                when
                  $n : Node()
                then
                  update($n);
                end
                """);
        long start = System.nanoTime();
        try (Evaluation e = loop.newEvaluation()) {
            e.upsert(board("b1", "centro"));
            assertThatThrownBy(e::evaluate).isInstanceOf(PolicyRuntimeException.class)
                    .hasMessageContaining("rule 'touch every node forever' kept firing: more than 1100 firings");
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms to stop the loop").isLessThan(5_000);
    }

    @Test
    void aRuleWhoseConsequenceThrowsFailsTheEvaluationNamingTheRule() throws Exception {
        PolicySet broken = Fixtures.compile("""
                rule "divide by the label"
                when
                  $n : Node()
                then
                  Integer.parseInt($n.label("missing"));
                end
                """);
        try (Evaluation e = broken.newEvaluation()) {
            e.upsert(board("b1", "centro"));
            assertThatThrownBy(e::evaluate).isInstanceOf(PolicyRuntimeException.class)
                    .hasMessageContaining("divide by the label");
        }
    }

    @Test
    void nodeInTwoConflictingOverlaysFailsNamingNodeAndOverlays() throws Exception {
        PolicySet conflicting = Fixtures.compile("""
                rule "public and sensors never mix"
                when
                then
                  insertLogical(new OverlayConflict("public-net", "env-net"));
                end
                rule "boards join both"
                when
                  $n : Node( kind == "BOARD" )
                then
                  insertLogical(new OverlayMembership($n.getId(), "env-net"));
                  insertLogical(new OverlayMembership($n.getId(), "public-net"));
                end
                """);
        try (Evaluation e = conflicting.newEvaluation()) {
            e.upsert(board("b7", "centro"));
            assertThatThrownBy(e::evaluate).isInstanceOf(PolicyRuntimeException.class)
                    .hasMessageContaining("node 'b7'").hasMessageContaining("'public-net'").hasMessageContaining("'env-net'");
            // the refused node is looked at again, not forgotten
            assertThatThrownBy(e::evaluate).hasMessageContaining("node 'b7'");
            assertThat(e.decisions()).doesNotContainKey("b7");
        }
    }

    @Test
    void afterTheFullEvaluationOneChangedReadingReturnsOnlyThatNode() throws Exception {
        try (Evaluation e = Fixtures.compile(SAMPLING).newEvaluation()) {
            for (int i = 0; i < 50; i++) {
                e.upsert(board("b" + i, "centro", "pm25"));
                e.reading(reading("b" + i, "pm25", 10));
            }
            assertThat(e.evaluate()).hasSize(50);
            assertThat(e.evaluate()).isEmpty();

            e.reading(reading("b7", "pm25", 80));
            Map<String, NodeDecisions> changed = e.evaluate();
            assertThat(changed).containsOnlyKeys("b7");
            assertThat(changed.get("b7").samplingMillis()).containsEntry("pm25", 5000L); // the shortest period wins

            e.reading(reading("b7", "pm25", 81)); // still high: decisions do not change
            assertThat(e.evaluate()).isEmpty();

            e.reading(reading("b7", "pm25", 20));
            assertThat(e.evaluate().get("b7").samplingMillis()).containsEntry("pm25", 60000L);
            assertThat(e.decisions()).hasSize(50);
        }
    }

    @Test
    void removingANodeReturnsItsEmptiedDecisionsOnce() throws Exception {
        try (Evaluation e = Fixtures.compile(SAMPLING).newEvaluation()) {
            e.upsert(board("b1", "centro", "pm25"));
            e.upsert(board("b2", "centro", "pm25"));
            e.reading(reading("b1", "pm25", 99));
            e.evaluate();

            e.remove("b1");
            Map<String, NodeDecisions> changed = e.evaluate();
            assertThat(changed).containsOnlyKeys("b1");
            NodeDecisions gone = changed.get("b1");
            assertThat(gone.overlays()).isEmpty();
            assertThat(gone.samplingMillis()).isEmpty();
            assertThat(gone.quarantineReason()).isNull();
            assertThat(e.decisions()).containsOnlyKeys("b2");
            assertThat(e.evaluate()).isEmpty();
        }
    }

    @Test
    void aNodeWithoutDecisionsIsStillReportedOnceWithEmptyDecisions() throws Exception {
        try (Evaluation e = Fixtures.compile(SAMPLING).newEvaluation()) {
            e.upsert(board("plain", "centro", "temperature"));
            assertThat(e.evaluate().get("plain").overlays()).isEmpty();
            e.upsert(board("plain", "centro", "temperature"));
            assertThat(e.evaluate()).isEmpty();
        }
    }

    @Test
    void quarantineKeepsOnlyTheQuarantineOverlayAndNoExposure() throws Exception {
        PolicySet p = Fixtures.compile("""
                rule "expose"
                when $n : Node() then
                  insertLogical(new ServiceExposure($n.getId(), "web"));
                  insertLogical(new OverlayMembership($n.getId(), "city-net"));
                  insertLogical(new SamplingPlan($n.getId(), "pm25", 1000L));
                end
                rule "tampered"
                when $n : Node( tampered ) then
                  insertLogical(new Quarantine($n.getId(), "tampering"));
                end
                """);
        try (Evaluation e = p.newEvaluation()) {
            e.upsert(new Node("t1", "t1", "BOARD", "", Map.of(), 0, 0, "ONLINE", null, null, "0.1.0", 1, true));
            NodeDecisions d = e.evaluate().get("t1");
            assertThat(d.overlays()).containsExactly("quarantine");
            assertThat(d.exposures()).isEmpty();
            assertThat(d.samplingMillis()).containsEntry("pm25", 1000L);
            assertThat(d.quarantineReason()).isEqualTo("tampering");
        }
    }
}
