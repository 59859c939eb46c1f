package io.civitas.overlay;

/**
 * Why an overlay operation was refused. The message names the field or the conflicting overlay, so a caller
 * can pass it to a user as is; {@link #reason()} lets a REST layer choose the status code.
 */
public class OverlayException extends RuntimeException {

    /** What went wrong, from the caller's point of view. */
    public enum Reason { INVALID, EXISTS, NOT_FOUND, VNI_TAKEN, CIDR_OVERLAP, POOL_EXHAUSTED, STORE }

    private final Reason reason;

    public OverlayException(Reason reason, String message) {
        this(reason, message, null);
    }

    public OverlayException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static OverlayException invalid(String field, String problem) {
        return new OverlayException(Reason.INVALID, field + ": " + problem);
    }
}
