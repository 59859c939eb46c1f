package io.civitas.policy;

import java.util.List;

/** A compiled, valid set of policy files, ready to evaluate. Immutable and thread-safe. */
public interface PolicySet {

    String name();

    List<PolicyFile> files();

    /** A new, empty evaluation (Drools session) of these rules. */
    Evaluation newEvaluation();
}
