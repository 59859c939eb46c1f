package io.civitas.protocol;

import java.util.regex.Pattern;

/**
 * The URI scheme of the city realm.
 *
 * <p>Everything a node's agent registers or publishes lives under {@code city.node.<nodeId>.}; the
 * controller's router refuses a session that touches another node's prefix. Procedures the
 * controller offers to agents live under {@code city.controller.}.
 */
public final class WampUris {
    /** Node ids are WAMP URI components: lower-case letters, digits and underscores. */
    public static final Pattern NODE_ID = Pattern.compile("[a-z0-9_]{1,64}");

    /** Called by an agent once its own procedures are registered: announces version and inventory. */
    public static final String CONTROLLER_HELLO = "city.controller.hello";
    public static final String CONTROLLER_PREFIX = "city.controller.";

    /** Error URIs sent in WAMP ERROR and ABORT messages. */
    public static final String ERROR_INCOMPATIBLE_PROTOCOL = "city.error.incompatible_protocol";
    public static final String ERROR_NOT_AUTHORIZED = "wamp.error.not_authorized";
    public static final String ERROR_AUTHENTICATION_FAILED = "wamp.error.authentication_failed";
    public static final String ERROR_INVALID_ARGUMENT = "wamp.error.invalid_argument";
    /** The agent understood a desired state but could not put it in effect (e.g. its disk is full). */
    public static final String ERROR_APPLY_FAILED = "city.error.apply_failed";
    /**
     * The agent refused a write decided under an older mastership than one it has already accepted: the caller
     * lost the node to another controller. Its keyword arguments are a {@link StaleEpoch}. Final for that write.
     */
    public static final String ERROR_STALE_EPOCH = "city.error.stale_epoch";
    /**
     * Keyword argument of every controller write to an agent ({@link #apply}): the mastership epoch the write was
     * decided under. Absent means 0, which an agent accepts only until it has accepted a higher one.
     */
    public static final String KW_EPOCH = "epoch";

    /**
     * Topic the controller publishes {@link SamplingDefaults} on when the city's defaults change: one message for
     * every agent instead of a push each. Agents may subscribe to it; only the controller publishes on it. An agent
     * answers each one on its {@link #applied} topic.
     */
    public static final String CITY_DEFAULTS = "city.defaults";

    private WampUris() {}

    public static boolean isValidNodeId(String nodeId) {
        return nodeId != null && NODE_ID.matcher(nodeId).matches();
    }

    /** The prefix every URI of this node starts with, dot included. */
    public static String nodePrefix(String nodeId) {
        if (!isValidNodeId(nodeId)) {
            throw new IllegalArgumentException("not a node id: " + nodeId);
        }
        return "city.node." + nodeId + ".";
    }

    /**
     * Procedure registered by the agent: takes a {@link DesiredState} and the keyword argument {@link #KW_EPOCH},
     * returns an {@link AppliedState}, or the error {@link #ERROR_STALE_EPOCH}.
     */
    public static String apply(String nodeId) {
        return nodePrefix(nodeId) + "apply";
    }

    /** Procedure registered by the agent: returns its single string argument (liveness and round-trip time). */
    public static String ping(String nodeId) {
        return nodePrefix(nodeId) + "ping";
    }

    /** Topic the agent publishes {@link SensorReading}s on. */
    public static String telemetry(String nodeId) {
        return nodePrefix(nodeId) + "telemetry";
    }

    /**
     * Topic the agent publishes an {@link AppliedState} on after each {@link #CITY_DEFAULTS} message, applied or
     * not (its generation says which), so the controller pushes the whole state to an agent that could not use it.
     */
    public static String applied(String nodeId) {
        return nodePrefix(nodeId) + "applied";
    }

    /** Topic the agent publishes {@link OverlayStatus} on. */
    public static String overlayStatus(String nodeId) {
        return nodePrefix(nodeId) + "overlay_status";
    }

    /** Procedure registered by the agent: takes a {@link CaptureRequest}, returns a {@link CaptureResult}. */
    public static String capture(String nodeId) {
        return nodePrefix(nodeId) + "capture";
    }

    /** The node id a {@code city.node.<id>.} URI belongs to, or null for any other URI. */
    public static String nodeOf(String uri) {
        if (uri == null || !uri.startsWith("city.node.")) {
            return null;
        }
        int end = uri.indexOf('.', "city.node.".length());
        String id = end < 0 ? uri.substring("city.node.".length()) : uri.substring("city.node.".length(), end);
        return isValidNodeId(id) ? id : null;
    }
}
