package io.civitas.policy;

import org.kie.api.KieBase;

import java.util.List;

/** A compiled policy: its files and the KieBase they built. Sessions come from the KieBase. */
final class DroolsPolicySet implements PolicySet {
    private final String name;
    private final List<PolicyFile> files;
    private final KieBase kieBase;

    DroolsPolicySet(String name, List<PolicyFile> files, KieBase kieBase) {
        this.name = name;
        this.files = List.copyOf(files);
        this.kieBase = kieBase;
    }

    @Override public String name() { return name; }
    @Override public List<PolicyFile> files() { return files; }

    @Override
    public Evaluation newEvaluation() {
        return new DroolsEvaluation(kieBase.newKieSession());
    }

    /** How many rules compiled, for logs and benchmarks. */
    int ruleCount() {
        return kieBase.getKiePackages().stream().mapToInt(p -> p.getRules().size()).sum();
    }
}
