package io.civitas.policy;

import io.civitas.policy.facts.Node;
import io.civitas.policy.facts.SensorReading;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the test-case format of policies/README.md, one line at a time; collects every bad line. */
final class TestFileParser {
    private static final Set<String> NODE_KEYS = Set.of("kind", "name", "district", "sensors", "services", "agent",
            "protocol", "status", "tamper", "lat", "lon");
    private static final Set<String> WHATS = Set.of("overlay", "sampling", "exposure", "alert", "alert-count", "quarantined");

    private final String file;
    private final List<PolicyError> errors = new ArrayList<>();
    private final List<PolicyTestCase> cases = new ArrayList<>();
    private List<String> filePolicies = List.of();
    // the case being read
    private String name;
    private int caseLine;
    private List<String> policies;
    private List<TestStep> steps;
    private List<TestExpectation> expectations;
    private String expectedError;

    TestFileParser(String file) {
        this.file = file;
    }

    List<PolicyTestCase> parse(String text) throws PolicyCompileException {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replaceFirst("\\s+#.*$", "").strip(); // a comment may end a line
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                line(i + 1, line);
            } catch (IllegalArgumentException e) {
                errors.add(new PolicyError(file, i + 1, 1, e.getMessage()));
            }
        }
        finishCase();
        if (cases.isEmpty() && errors.isEmpty()) {
            errors.add(new PolicyError(file, 0, 0, "no test case in the file"));
        }
        if (!errors.isEmpty()) {
            throw new PolicyCompileException(errors);
        }
        return cases;
    }

    private void line(int n, String line) {
        String[] w = line.split("\\s+");
        String keyword = w[0];
        if (keyword.equals("case")) {
            finishCase();
            need(w.length >= 2, "a case needs a name: case <name>");
            startCase(n, line.substring(4).strip());
            return;
        }
        if (keyword.equals("policies")) {
            need(w.length >= 2, "policies <folder> [<folder> ...] names the policies to test");
            List<String> named = Arrays.asList(w).subList(1, w.length);
            if (name == null) {
                filePolicies = List.copyOf(named);
            } else {
                policies = List.copyOf(named);
            }
            return;
        }
        if (name == null) {
            startCase(n, file); // a file without 'case' lines is one case named after the file
        }
        switch (keyword) {
            case "node" -> steps.add(new TestStep.Upsert(node(w)));
            case "reading" -> {
                need(w.length == 4 || w.length == 5, "reading <node> <sensor> <value> [<unit>]");
                steps.add(new TestStep.Reading(new SensorReading(w[1], w[2], number(w[3]), w.length == 5 ? w[4] : "", n)));
            }
            case "remove" -> {
                need(w.length == 2, "remove <node>");
                steps.add(new TestStep.Remove(w[1]));
            }
            case "evaluate" -> steps.add(new TestStep.Evaluate());
            case "expect", "expect-not" -> expectations.add(expectation(n, keyword.equals("expect-not"), line, w));
            case "expect-error" -> {
                need(w.length >= 2, "expect-error <text the error contains>");
                expectedError = line.substring("expect-error".length()).strip();
            }
            default -> throw new IllegalArgumentException("unknown line '" + keyword
                    + "': expected case, policies, node, reading, remove, evaluate, expect, expect-not or expect-error");
        }
    }

    private void startCase(int n, String caseName) {
        name = caseName;
        caseLine = n;
        policies = null;
        steps = new ArrayList<>();
        expectations = new ArrayList<>();
        expectedError = null;
    }

    private void finishCase() {
        if (name == null) {
            return;
        }
        List<String> p = policies != null ? policies : filePolicies;
        if (p.isEmpty()) {
            errors.add(new PolicyError(file, caseLine, 1, "case '" + name + "' names no policies: add a 'policies' line"));
        }
        cases.add(new PolicyTestCase(file, caseLine, name, p, steps, expectations, expectedError));
        name = null;
    }

    private Node node(String[] w) {
        need(w.length >= 2, "node <id> [key=value ...]");
        Map<String, String> v = new HashMap<>();
        Map<String, String> labels = new HashMap<>();
        for (int i = 2; i < w.length; i++) {
            int eq = w[i].indexOf('=');
            need(eq > 0, "expected key=value, got '" + w[i] + "'");
            String key = w[i].substring(0, eq);
            String value = w[i].substring(eq + 1);
            if (key.startsWith("label.")) {
                labels.put(key.substring(6), value);
            } else {
                need(NODE_KEYS.contains(key), "unknown node key '" + key + "': use one of " + new java.util.TreeSet<>(NODE_KEYS)
                        + " or label.<name>");
                v.put(key, value);
            }
        }
        String kind = v.getOrDefault("kind", "BOARD").toUpperCase(java.util.Locale.ROOT);
        need(kind.equals("BOARD") || kind.equals("VM"), "kind is BOARD or VM, got '" + kind + "'");
        String district = v.getOrDefault("district", "");
        if (!district.isEmpty()) {
            labels.putIfAbsent("district", district);
        }
        boolean tamper = Boolean.parseBoolean(v.getOrDefault("tamper", "false"));
        return new Node(w[1], v.getOrDefault("name", w[1]), kind, district, labels,
                number(v.getOrDefault("lat", "0")), number(v.getOrDefault("lon", "0")), v.getOrDefault("status", "ONLINE"),
                list(v.get("sensors")), list(v.get("services")), v.getOrDefault("agent", ""),
                (int) number(v.getOrDefault("protocol", "1")), tamper);
    }

    private TestExpectation expectation(int n, boolean negated, String line, String[] w) {
        need(w.length >= 3, "expect <node> <overlay|sampling|exposure|alert|alert-count|quarantined> ...");
        String what = w[2];
        need(WHATS.contains(what), "unknown expectation '" + what + "': use one of " + new java.util.TreeSet<>(WHATS));
        String rest = line.split("\\s+", 4).length == 4 ? line.split("\\s+", 4)[3] : null;
        switch (what) {
            case "overlay", "exposure" -> need(w.length == 4, what + " takes one name");
            case "sampling" -> {
                need(w.length == 4 || w.length == 5, "sampling <sensor> [<period in ms>]");
                need(negated ? w.length == 4 : true, "expect-not sampling takes the sensor only");
                need(w.length == 4 || w[4].matches("\\d+"), "the period is whole milliseconds, got '" + w[w.length - 1] + "'");
                return new TestExpectation(n, negated, w[1], what, w[3], w.length == 5 ? w[4] : null);
            }
            case "alert" -> need(rest != null, "alert <text the alert contains>");
            case "alert-count" -> need(w.length == 4 && w[3].matches("\\d+"), "alert-count <whole number>");
            default -> { }
        }
        return new TestExpectation(n, negated, w[1], what, rest, null);
    }

    private static Set<String> list(String csv) {
        return csv == null || csv.isBlank() ? Set.of() : new HashSet<>(Arrays.asList(csv.split(",")));
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, got '" + s + "'");
        }
    }

    private static void need(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
