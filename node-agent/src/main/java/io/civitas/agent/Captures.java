package io.civitas.agent;

import io.civitas.protocol.CaptureRequest;
import io.civitas.protocol.CaptureResult;

/** Runs a packet capture on one of the node's overlays. */
interface Captures {
    /** @throws IllegalArgumentException when the request names no overlay of this node or is out of bounds */
    CaptureResult capture(CaptureRequest request) throws Exception;
}
