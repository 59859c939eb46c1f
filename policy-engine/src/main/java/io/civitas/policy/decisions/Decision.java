package io.civitas.policy.decisions;

/**
 * A decision a rule makes about one node. Rules insert decisions with {@code insertLogical}, so Drools'
 * truth maintenance retracts them when the rule's condition stops holding; equal decisions from two rules
 * are one fact with two justifications (hence value equality in every implementation).
 */
public interface Decision {
    String getNodeId();
}
