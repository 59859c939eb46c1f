package io.civitas.policy;

import java.util.List;

/**
 * One test case of a policy: a small city (nodes, readings, removals, evaluations in order) and the
 * decisions expected after the last step. Made by {@link PolicyTests#parse}; see policies/README.md for
 * the format.
 */
public final class PolicyTestCase {
    private final String file;
    private final int line;
    private final String name;
    private final List<String> policies;
    private final List<TestStep> steps;
    private final List<TestExpectation> expectations;
    private final String expectedError;

    PolicyTestCase(String file, int line, String name, List<String> policies, List<TestStep> steps,
                   List<TestExpectation> expectations, String expectedError) {
        this.file = file;
        this.line = line;
        this.name = name;
        this.policies = List.copyOf(policies);
        this.steps = List.copyOf(steps);
        this.expectations = List.copyOf(expectations);
        this.expectedError = expectedError;
    }

    /** The test file it came from, and the line of its {@code case} line. */
    public String file() { return file; }
    public int line() { return line; }
    public String name() { return name; }
    /** The policies (folder names under policies/) the case runs against, as its {@code policies} line says. */
    public List<String> policies() { return policies; }

    List<TestStep> steps() { return steps; }
    List<TestExpectation> expectations() { return expectations; }
    /** The text an {@code expect-error} line wants in the evaluation's error, or null. */
    String expectedError() { return expectedError; }

    @Override
    public String toString() {
        return file + ":" + line + " " + name;
    }
}
