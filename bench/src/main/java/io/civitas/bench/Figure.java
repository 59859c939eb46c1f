package io.civitas.bench;

import java.util.Locale;

/**
 * One measured figure, printed as one JSON line at the end of a run (DESIGN.md, Conventions).
 *
 * <p>{@code baseline} is null when the scenario has none; then {@code ratio} and {@code baselineIs} are
 * left out. {@code ratio} is {@code value / baseline}, both measured in the same run on the same machine.
 */
record Figure(String scenario, String metric, double value, String unit, Double baseline, String baselineIs) {

    static Figure of(String scenario, String metric, double value, String unit) {
        return new Figure(scenario, metric, value, unit, null, null);
    }

    static Figure against(String scenario, String metric, double value, double baseline, String unit, String baselineIs) {
        return new Figure(scenario, metric, value, unit, baseline, baselineIs);
    }

    Double ratio() {
        return baseline == null || baseline == 0 ? null : value / baseline;
    }

    String toJson() {
        StringBuilder json = new StringBuilder("{");
        json.append("\"scenario\":").append(quote(scenario));
        json.append(",\"metric\":").append(quote(metric));
        json.append(",\"value\":").append(number(value));
        json.append(",\"unit\":").append(quote(unit));
        if (baseline != null) {
            json.append(",\"baseline\":").append(number(baseline));
            Double ratio = ratio();
            if (ratio != null) {
                json.append(",\"ratio\":").append(String.format(Locale.ROOT, "%.3f", ratio));
            }
            json.append(",\"baseline_is\":").append(quote(baselineIs));
        }
        return json.append('}').toString();
    }

    /** Whole numbers print without a fraction, others with one decimal: microseconds need no more. */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
