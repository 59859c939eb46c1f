package io.civitas.controller.policy;

import io.civitas.controller.system.ApiException;
import io.civitas.policy.PolicyCompileException;
import io.civitas.policy.PolicyFile;
import io.civitas.policy.PolicySet;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles policies with the engine: one policy alone (validate, test), or the set of active policies,
 * optionally with a draft in place of (or added as) one of them. In a set every file's path is prefixed
 * with its policy's name, so two policies' {@code rules.drl} stay apart and errors say whose file it is.
 */
@Component
class PolicyCompiler {

    static final String ACTIVE_SET = "active";

    private final PolicyStore store;

    PolicyCompiler(PolicyStore store) {
        this.store = store;
    }

    /** 422 with every error when it does not compile. */
    PolicySet compile(String name, List<PolicyFile> files) {
        try {
            return Engine.compile(name, files);
        } catch (PolicyCompileException e) {
            throw PolicyProblem.compile(e.errors());
        }
    }

    /**
     * The set of {@code active} policies (name to version), with {@code draftName} replaced by
     * {@code draft} when the draft is not null. Null when the set is empty: nothing is active.
     */
    PolicySet compileSet(Map<String, Integer> active, String draftName, List<PolicyFile> draft) {
        Map<String, List<PolicyFile>> policies = new TreeMap<>();
        active.forEach((name, version) -> policies.put(name, store.files(name, version).orElseThrow(() ->
                ApiException.conflict("active policy " + name + " version " + version + " is not stored"))));
        if (draft != null) {
            policies.put(draftName, draft);
        }
        if (policies.isEmpty()) {
            return null;
        }
        List<PolicyFile> files = new ArrayList<>();
        policies.forEach((name, list) -> list.forEach(f -> files.add(new PolicyFile(name + "/" + f.path(), f.text()))));
        return compile(ACTIVE_SET, files);
    }
}
