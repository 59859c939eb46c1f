package io.civitas.policy;

import java.util.List;

/** A policy that does not compile, with every error found (not just the first). */
public final class PolicyCompileException extends Exception {
    private final List<PolicyError> errors;

    public PolicyCompileException(List<PolicyError> errors) {
        super(errors.size() + " error(s): " + errors);
        this.errors = List.copyOf(errors);
    }

    public List<PolicyError> errors() {
        return errors;
    }
}
