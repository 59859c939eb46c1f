package io.civitas.policy;

import java.util.List;

/** The outcome of one test case: passed, or the differences ("b1: expected overlay env-net, got none"). */
public record PolicyTestResult(String name, boolean passed, List<String> differences) {
    public PolicyTestResult {
        differences = List.copyOf(differences);
    }
}
