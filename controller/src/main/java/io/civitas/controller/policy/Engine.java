package io.civitas.controller.policy;

import io.civitas.policy.Policies;
import io.civitas.policy.PolicyCompileException;
import io.civitas.policy.PolicyFile;
import io.civitas.policy.PolicySet;

import java.util.List;

/** The one call into the policy engine's compiler. */
final class Engine {

    private Engine() {}

    static PolicySet compile(String name, List<PolicyFile> files) throws PolicyCompileException {
        return Policies.compile(name, files);
    }
}
