package io.civitas.agent;

/**
 * Why an agent cannot run, or stopped for good. The agent never retries these: an operator has to act
 * (give a token, fix the configuration, upgrade one side).
 */
public final class AgentException extends RuntimeException {
    /** What went wrong, which also tells the command line its exit code. */
    public enum Kind {
        /** Bad or missing settings: no credential and no token, an unreadable state directory. */
        CONFIGURATION,
        /** The controller refused the enrollment token (wrong, expired, used) or the protocol version. */
        ENROLLMENT_REFUSED,
        /** The controller does not speak this agent's protocol version. */
        INCOMPATIBLE_PROTOCOL
    }

    private final Kind kind;

    public AgentException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public AgentException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
