package io.civitas.policy;

/** One thing wrong with a policy, where a planner can find it: file, line and column (1-based; 0 when unknown). */
public record PolicyError(String file, int line, int column, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
