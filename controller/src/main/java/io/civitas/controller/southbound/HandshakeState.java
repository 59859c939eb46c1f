package io.civitas.controller.southbound;

/**
 * Where a switch connection is in the OpenFlow 1.3 handshake. The order is the handshake's order; a connection
 * only moves forward, and only an ACTIVE connection is a switch the rest of the controller sees.
 */
enum HandshakeState {
    /** HELLO sent; waiting for the switch's HELLO to negotiate the version. */
    WAIT_HELLO,
    /** FEATURES_REQUEST sent: waiting for the datapath id. */
    WAIT_FEATURES_REPLY,
    /** PORT_DESC multipart request sent: collecting ports until the last part. */
    WAIT_PORT_DESC,
    /** SET_CONFIG and GET_CONFIG_REQUEST sent: waiting for GET_CONFIG_REPLY. */
    WAIT_CONFIG_REPLY,
    /** DESC multipart request sent: waiting for the switch's description. */
    WAIT_DESC,
    /** Handshake done: the switch is registered and gets its role. */
    ACTIVE
}
