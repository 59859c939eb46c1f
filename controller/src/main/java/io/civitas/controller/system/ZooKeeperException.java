package io.civitas.controller.system;

/** A ZooKeeper operation failed for a reason the caller cannot fix (lost connection, unexpected state). */
public class ZooKeeperException extends RuntimeException {

    public ZooKeeperException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Rethrows runtime exceptions as they are and wraps checked ones (Curator throws {@code Exception}). */
    public static RuntimeException wrap(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return e instanceof RuntimeException runtime ? runtime : new ZooKeeperException(what + ": " + e, e);
    }
}
