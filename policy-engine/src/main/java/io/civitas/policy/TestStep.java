package io.civitas.policy;

import io.civitas.policy.facts.Node;
import io.civitas.policy.facts.SensorReading;

/** One step of a test case's story, applied to an evaluation in order. */
sealed interface TestStep {
    void apply(Evaluation evaluation) throws PolicyRuntimeException;

    record Upsert(Node node) implements TestStep {
        @Override public void apply(Evaluation e) { e.upsert(node); }
    }

    record Reading(SensorReading reading) implements TestStep {
        @Override public void apply(Evaluation e) { e.reading(reading); }
    }

    record Remove(String nodeId) implements TestStep {
        @Override public void apply(Evaluation e) { e.remove(nodeId); }
    }

    record Evaluate() implements TestStep {
        @Override public void apply(Evaluation e) throws PolicyRuntimeException { e.evaluate(); }
    }
}
