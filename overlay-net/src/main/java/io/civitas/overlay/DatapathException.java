package io.civitas.overlay;

/** A datapath command failed; the message holds the command line, its exit code and its stderr. */
public class DatapathException extends RuntimeException {

    public DatapathException(String message) {
        super(message);
    }

    public DatapathException(String message, Throwable cause) {
        super(message, cause);
    }
}
