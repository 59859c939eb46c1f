package io.civitas.controller.system;

/**
 * The controller cannot start for a reason the operator can fix (unreachable ZooKeeper, unwritable data
 * folder). {@link StartupFailureAnalyzer} prints it as a short report instead of a stack trace.
 */
public class StartupException extends RuntimeException {

    private final String action;

    public StartupException(String description, String action, Throwable cause) {
        super(description, cause);
        this.action = action;
    }

    public String action() {
        return action;
    }
}
