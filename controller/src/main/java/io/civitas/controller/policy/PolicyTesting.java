package io.civitas.controller.policy;

import io.civitas.controller.policy.PolicyRequests.TestFileBody;
import io.civitas.controller.system.ApiException;
import io.civitas.policy.PolicyCompileException;
import io.civitas.policy.PolicyError;
import io.civitas.policy.PolicyFile;
import io.civitas.policy.PolicySet;
import io.civitas.policy.PolicyTestCase;
import io.civitas.policy.PolicyTestResult;
import io.civitas.policy.PolicyTests;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs test cases against a draft policy. A case that names other policies too ({@code policies a b})
 * runs against the draft together with those policies' active versions (else their latest).
 */
@Service
class PolicyTesting {

    record CaseResult(String name, String file, int line, String result, List<String> differences) {}

    record Result(boolean passed, int total, int failed, List<CaseResult> cases) {}

    private final PolicyCompiler compiler;
    private final PolicyStore store;
    private final ActivationStore activations;

    PolicyTesting(PolicyCompiler compiler, PolicyStore store, ActivationStore activations) {
        this.compiler = compiler;
        this.store = store;
        this.activations = activations;
    }

    Result run(String name, List<PolicyFile> draft, List<TestFileBody> tests) {
        PolicySet alone = compiler.compile(name, draft);
        List<PolicyTestCase> cases = parse(tests);
        Map<String, Integer> active = activations.read().activation().active();
        Map<List<String>, Object> sets = new HashMap<>(); // PolicySet, or the reason there is none
        List<CaseResult> results = new ArrayList<>();
        for (PolicyTestCase c : cases) {
            List<String> others = c.policies().stream().filter(p -> !p.equals(name)).sorted().toList();
            Object set = others.isEmpty() ? alone : sets.computeIfAbsent(others, o -> combine(name, draft, o, active));
            PolicyTestResult r = set instanceof PolicySet s ? PolicyTests.run(s, c)
                    : new PolicyTestResult(c.name(), false, List.of((String) set));
            results.add(new CaseResult(r.name(), c.file(), c.line(), r.passed() ? "PASS" : "FAIL", r.differences()));
        }
        int failed = (int) results.stream().filter(r -> r.result().equals("FAIL")).count();
        return new Result(failed == 0, results.size(), failed, results);
    }

    private Object combine(String name, List<PolicyFile> draft, List<String> others, Map<String, Integer> active) {
        Map<String, Integer> versions = new TreeMap<>();
        for (String other : others) {
            Integer version = active.containsKey(other) ? active.get(other) : store.latest(other).orElse(null);
            if (version == null) {
                return "the case also needs policy '" + other + "', which is not stored on the controller";
            }
            versions.put(other, version);
        }
        try {
            return compiler.compileSet(versions, name, draft);
        } catch (PolicyProblem e) {
            return "together with " + versions + " the policy does not compile: " + e.getMessage();
        }
    }

    private static List<PolicyTestCase> parse(List<TestFileBody> tests) {
        if (tests == null || tests.isEmpty()) {
            throw ApiException.invalid("tests", "at least one test file {file, text} is required");
        }
        List<PolicyTestCase> cases = new ArrayList<>();
        List<PolicyError> errors = new ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            TestFileBody t = tests.get(i);
            if (t == null || t.file() == null || t.file().isBlank() || t.text() == null) {
                throw ApiException.invalid("tests[" + i + "]", "must be an object {file, text}");
            }
            try {
                cases.addAll(PolicyTests.parse(t.file(), t.text()));
            } catch (PolicyCompileException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw PolicyProblem.compile(errors);
        }
        return cases;
    }
}
