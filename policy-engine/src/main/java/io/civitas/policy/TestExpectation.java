package io.civitas.policy;

import java.util.Locale;

/**
 * One {@code expect} / {@code expect-not} line: a claim about one node's decisions. {@link #check} returns
 * null when it holds, else the difference in words.
 */
record TestExpectation(int line, boolean negated, String nodeId, String what, String arg, String value) {

    String check(NodeDecisions d) {
        String got;
        boolean holds;
        switch (what) {
            case "overlay" -> {
                holds = d.overlays().contains(arg);
                got = d.overlays().isEmpty() ? "none" : String.join(",", d.overlays());
            }
            case "exposure" -> {
                holds = d.exposures().contains(arg);
                got = d.exposures().isEmpty() ? "none" : String.join(",", d.exposures());
            }
            case "sampling" -> {
                Long period = d.samplingMillis().get(arg);
                holds = period != null && (value == null || period == Long.parseLong(value));
                got = period == null ? "none" : period + " ms";
            }
            case "alert" -> {
                holds = d.alerts().stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).contains(arg.toLowerCase(Locale.ROOT)));
                got = d.alerts().isEmpty() ? "none" : String.join(" | ", d.alerts());
            }
            case "alert-count" -> {
                holds = d.alerts().size() == Integer.parseInt(arg);
                got = Integer.toString(d.alerts().size());
            }
            case "quarantined" -> {
                holds = d.quarantineReason() != null
                        && (arg == null || d.quarantineReason().toLowerCase(Locale.ROOT).contains(arg.toLowerCase(Locale.ROOT)));
                got = d.quarantineReason() == null ? "not quarantined" : "quarantined: " + d.quarantineReason();
            }
            default -> throw new IllegalStateException("unknown expectation " + what);
        }
        if (holds != negated) {
            return null;
        }
        String claim = what + (arg == null ? "" : " " + arg) + (value == null ? "" : " " + value);
        return nodeId + ": expected " + (negated ? "no " : "") + claim + ", got " + got + " (line " + line + ")";
    }
}
