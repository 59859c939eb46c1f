package io.civitas.controller.southbound;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;

/** A request the switch refused (its ERROR message) or that got no answer in time. */
public class OpenFlowException extends RuntimeException {

    private final transient OFErrorMsg error;

    OpenFlowException(String message, OFErrorMsg error) {
        super(message, null, false, false);
        this.error = error;
    }

    /** The switch's ERROR message, or null when there was none (timeout, disconnection). */
    public OFErrorMsg error() {
        return error;
    }
}
