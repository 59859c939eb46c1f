package io.civitas.policy;

import io.civitas.policy.facts.Node;
import io.civitas.policy.facts.SensorReading;

import java.util.Map;

/**
 * A long-lived evaluation of one policy set over the city's facts (one Drools session): facts go in as
 * they change, and {@link #evaluate()} returns only the nodes whose decisions changed. Not thread-safe:
 * one thread feeds and evaluates.
 */
public interface Evaluation extends AutoCloseable {

    /** Inserts the node, or updates it when a node of that id is known. */
    void upsert(Node node);

    /** Retracts the node and its readings. */
    void remove(String nodeId);

    /** The latest reading of (node, sensor); replaces the previous one. */
    void reading(SensorReading reading);

    /**
     * Fires the rules (bounded: a policy that loops fails with a message naming the rule) and returns the
     * decisions of every node whose decisions changed since the last call, including nodes whose decisions
     * became empty.
     *
     * @throws PolicyRuntimeException when firing exceeds the bound or decisions conflict; the evaluation is
     *                                then unusable
     */
    Map<String, NodeDecisions> evaluate() throws PolicyRuntimeException;

    /** Every known node's current decisions (after the last evaluate). */
    Map<String, NodeDecisions> decisions();

    @Override
    void close();
}
