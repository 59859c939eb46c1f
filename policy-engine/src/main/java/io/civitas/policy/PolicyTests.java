package io.civitas.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test cases for policies, in the plain line format of policies/README.md: parse a file, run a case against
 * a compiled policy set.
 */
public final class PolicyTests {
    private PolicyTests() {}

    /** Parses a test file; every bad line is an error with the file's name and the line. */
    public static List<PolicyTestCase> parse(String fileName, String text) throws PolicyCompileException {
        return new TestFileParser(fileName).parse(text);
    }

    /**
     * Runs the case on a fresh evaluation of {@code policies}: applies its steps in order, evaluates once more,
     * and compares every expectation. A policy that fails at run time fails the case, unless the case expects
     * that error ({@code expect-error}).
     */
    public static PolicyTestResult run(PolicySet policies, PolicyTestCase testCase) {
        List<String> differences = new ArrayList<>();
        try (Evaluation evaluation = policies.newEvaluation()) {
            Map<String, NodeDecisions> decisions;
            try {
                for (TestStep step : testCase.steps()) {
                    step.apply(evaluation);
                }
                evaluation.evaluate();
                decisions = evaluation.decisions();
            } catch (PolicyRuntimeException e) {
                if (testCase.expectedError() == null) {
                    differences.add("evaluation failed: " + e.getMessage());
                } else if (!e.getMessage().contains(testCase.expectedError())) {
                    differences.add("expected an error containing '" + testCase.expectedError() + "', got: " + e.getMessage());
                }
                return new PolicyTestResult(testCase.name(), differences.isEmpty(), differences);
            }
            if (testCase.expectedError() != null) {
                differences.add("expected an error containing '" + testCase.expectedError() + "', got none");
            }
            for (TestExpectation x : testCase.expectations()) {
                NodeDecisions d = decisions.get(x.nodeId());
                String difference = d == null
                        ? x.nodeId() + ": expected a node of that id, the case has none (line " + x.line() + ")"
                        : x.check(d);
                if (difference != null) {
                    differences.add(difference);
                }
            }
        }
        return new PolicyTestResult(testCase.name(), differences.isEmpty(), differences);
    }
}
