package io.civitas.controller.policy;

import io.civitas.controller.node.CityNodes.Snapshot;
import io.civitas.controller.node.PolicyDecisions;
import io.civitas.policy.Evaluation;
import io.civitas.policy.NodeDecisions;
import io.civitas.policy.PolicyRuntimeException;
import io.civitas.policy.PolicySet;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A policy set evaluated from scratch over the live facts: every node of the registry and its latest
 * readings. Activation checks a candidate this way, dry-run compares two, the evaluator starts from one.
 * The caller owns (and closes) the evaluation.
 */
record FreshEvaluation(Evaluation evaluation, Map<String, Snapshot> inserted, Map<String, NodeDecisions> decisions)
        implements AutoCloseable {

    /** Null {@code set} (nothing active) gives no evaluation and no decisions. */
    static FreshEvaluation of(PolicySet set, CityFacts facts) throws PolicyRuntimeException {
        if (set == null) {
            return new FreshEvaluation(null, Map.of(), Map.of());
        }
        Evaluation evaluation = set.newEvaluation();
        try {
            Map<String, Snapshot> inserted = facts.loadAll(evaluation);
            evaluation.evaluate();
            return new FreshEvaluation(evaluation, inserted, Map.copyOf(evaluation.decisions()));
        } catch (PolicyRuntimeException | RuntimeException e) {
            evaluation.close();
            throw e;
        }
    }

    /**
     * Like {@link #of} but a loop or conflict is a 422 naming it. The caller owns the evaluation: activation
     * hands it to the evaluator rather than evaluating the whole city a second time.
     */
    static FreshEvaluation check(PolicySet set, CityFacts facts) {
        try {
            return of(set, facts);
        } catch (PolicyRuntimeException e) {
            throw PolicyProblem.runtime(e.getMessage());
        }
    }

    /** Every inserted node's decisions as the registry would store them (NONE where no rule spoke). */
    Map<String, PolicyDecisions> stored() {
        Map<String, PolicyDecisions> out = new TreeMap<>();
        inserted.forEach((id, snapshot) -> out.put(id, stored(id, snapshot.sensors())));
        return out;
    }

    PolicyDecisions stored(String id, Set<String> sensors) {
        return StoredDecisions.of(decisions.get(id), sensors);
    }

    @Override
    public void close() {
        if (evaluation != null) {
            evaluation.close();
        }
    }
}
