package io.civitas.policy.decisions;

import java.util.Objects;

/**
 * Declares that overlays {@code a} and {@code b} must never share a node (e.g. a public network and a
 * sensor network). Not about one node, so not a {@link Decision}; a node in both fails the evaluation.
 */
public final class OverlayConflict {
    private final String a;
    private final String b;

    public OverlayConflict(String a, String b) {
        this.a = a;
        this.b = b;
    }

    public String getA() { return a; }
    public String getB() { return b; }

    @Override
    public boolean equals(Object o) {
        return o instanceof OverlayConflict c && Objects.equals(a, c.a) && Objects.equals(b, c.b);
    }

    @Override public int hashCode() { return Objects.hash(a, b); }
    @Override public String toString() { return "OverlayConflict[" + a + " " + b + "]"; }
}
