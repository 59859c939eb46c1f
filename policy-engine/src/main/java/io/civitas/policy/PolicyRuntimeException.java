package io.civitas.policy;

/**
 * A policy that compiled but cannot be evaluated over these facts: a rule that keeps firing past the
 * bound, or decisions that conflict (one node in two overlays that exclude each other). The message
 * names the rule or the node; the evaluation it came from must be thrown away.
 */
public final class PolicyRuntimeException extends Exception {
    public PolicyRuntimeException(String message) {
        super(message);
    }
}
