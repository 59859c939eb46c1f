package io.civitas.controller.node;

import io.civitas.controller.node.NodeRequests.LocationInput;
import io.civitas.controller.node.NodeRequests.SamplingInput;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.FieldProblem;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.Sensors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks request fields and collects every problem, each named by its JSON path, before anything is
 * stored: a bad request changes nothing.
 */
final class NodeInput {

    static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}](?:[\\p{L}\\p{N} ._-]{0,62}[\\p{L}\\p{N}._-])?");
    static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?");
    static final int MAX_LABELS = 64;
    static final int MAX_LABEL_VALUE = 256;

    private final List<FieldProblem> problems = new ArrayList<>();

    /** Throws 400 naming every field at fault, if any. */
    void check() {
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
    }

    void problem(String field, String message) {
        problems.add(new FieldProblem(field, message));
    }

    String name(String value, String field) {
        if (value == null || value.isEmpty()) {
            problem(field, "is required");
        } else if (!NAME.matcher(value).matches()) {
            problem(field, "must be 1-64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit"
                    + " and not ending with a space");
        }
        return value;
    }

    NodeKind kind(String value, String field) {
        if (value == null || value.isEmpty()) {
            problem(field, "is required (BOARD or VM)");
            return null;
        }
        try {
            return NodeKind.valueOf(value);
        } catch (IllegalArgumentException e) {
            problem(field, "must be BOARD or VM, not '" + value + "'");
            return null;
        }
    }

    Location location(LocationInput value, String field) {
        if (value == null) {
            return null;
        }
        boolean ok = degrees(value.lat(), -90, 90, field + ".lat");
        ok &= degrees(value.lon(), -180, 180, field + ".lon");
        return ok ? new Location(value.lat(), value.lon()) : null;
    }

    Map<String, String> labels(Map<String, Object> value, String field) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (value == null) {
            return labels;
        }
        if (value.size() > MAX_LABELS) {
            problem(field, "at most " + MAX_LABELS + " labels");
        }
        value.forEach((key, v) -> {
            String at = field + "." + key;
            if (!LABEL_KEY.matcher(key).matches()) {
                problem(at, "label keys are 1-63 letters, digits, '.', '_', '/' or '-', starting and ending"
                        + " with a letter or digit");
            } else if (!(v instanceof String s)) {
                problem(at, "must be a string");
            } else if (s.length() > MAX_LABEL_VALUE) {
                problem(at, "at most " + MAX_LABEL_VALUE + " characters");
            } else {
                labels.put(key, s);
            }
        });
        return labels;
    }

    List<SamplingPlan> sampling(List<SamplingInput> value, String field) {
        List<SamplingPlan> plans = new ArrayList<>();
        if (value == null) {
            return plans;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
            String at = field + "[" + i + "]";
            SamplingInput item = value.get(i);
            if (item == null) {
                problem(at, "must be an object {sensor, periodMillis}");
                continue;
            }
            boolean ok = true;
            if (item.sensor() == null || item.sensor().isEmpty()) {
                problem(at + ".sensor", "is required");
                ok = false;
            } else if (!Sensors.KNOWN.containsKey(item.sensor())) {
                problem(at + ".sensor", "unknown sensor '" + item.sensor() + "'; known: "
                        + String.join(", ", new TreeSet<>(Sensors.KNOWN.keySet())));
                ok = false;
            } else if (!seen.add(item.sensor())) {
                problem(at + ".sensor", "sensor '" + item.sensor() + "' appears more than once");
                ok = false;
            }
            if (item.periodMillis() == null) {
                problem(at + ".periodMillis", "is required");
                ok = false;
            } else if (item.periodMillis() < Sensors.MIN_PERIOD_MILLIS) {
                problem(at + ".periodMillis", "must be at least " + Sensors.MIN_PERIOD_MILLIS + " ms, not "
                        + item.periodMillis());
                ok = false;
            }
            if (ok) {
                plans.add(new SamplingPlan(item.sensor(), item.periodMillis()));
            }
        }
        return plans;
    }

    private boolean degrees(Double value, double min, double max, String field) {
        if (value == null) {
            problem(field, "is required");
            return false;
        }
        if (!(value >= min && value <= max)) {
            problem(field, "must be between " + (int) min + " and " + (int) max + " degrees, not " + value);
            return false;
        }
        return true;
    }
}
