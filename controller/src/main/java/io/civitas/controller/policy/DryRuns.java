package io.civitas.controller.policy;

import io.civitas.controller.policy.ActivationStore.Current;
import io.civitas.policy.DecisionDiff;
import io.civitas.policy.PolicyFile;
import io.civitas.policy.PolicyRuntimeException;
import io.civitas.policy.PolicySet;
import org.springframework.stereotype.Service;

import java.util.List;
import java.util.Map;

/**
 * What a draft would change: the active set, and the active set with the draft in place of (or added as)
 * its policy, both evaluated from scratch over the same live facts; the answer is the difference per node.
 * Nothing is written and the running evaluation is not touched.
 */
@Service
class DryRuns {

    record NodeChange(String nodeId, String name, DecisionDiff changes) {}

    record Result(String name, Map<String, Integer> active, int nodes, int changedNodes, List<NodeChange> changes) {}

    private final ActivationStore activations;
    private final PolicyCompiler compiler;
    private final CityFacts facts;

    DryRuns(ActivationStore activations, PolicyCompiler compiler, CityFacts facts) {
        this.activations = activations;
        this.compiler = compiler;
        this.facts = facts;
    }

    Result run(String name, List<PolicyFile> draft) {
        compiler.compile(name, draft); // errors in the planner's own paths first
        Current current = activations.read();
        PolicySet now = compiler.compileSet(current.activation().active(), null, null);
        PolicySet next = compiler.compileSet(current.activation().active(), name, draft);
        try (FreshEvaluation before = evaluate(now, "the active policies"); FreshEvaluation after = evaluate(next, name)) {
            List<NodeChange> changes = DecisionDiff.between(before.decisions(), after.decisions()).entrySet().stream()
                    .map(e -> new NodeChange(e.getKey(), nameOf(after, before, e.getKey()), e.getValue()))
                    .toList();
            return new Result(name, current.activation().active(), after.inserted().size(), changes.size(), changes);
        }
    }

    private FreshEvaluation evaluate(PolicySet set, String what) {
        try {
            return FreshEvaluation.of(set, facts);
        } catch (PolicyRuntimeException e) {
            throw PolicyProblem.runtime(what + " cannot be evaluated over the live facts: " + e.getMessage());
        }
    }

    private static String nameOf(FreshEvaluation a, FreshEvaluation b, String id) {
        var snapshot = a.inserted().containsKey(id) ? a.inserted().get(id) : b.inserted().get(id);
        return snapshot == null ? null : snapshot.name();
    }
}
