package io.civitas.protocol;

/**
 * The version of the controller-agent contract and the WAMP realm both sides use.
 *
 * <p>An agent announces {@link #VERSION} when it enrolls and in its hello call; the controller accepts
 * versions from {@link #MIN_SUPPORTED} to {@link #VERSION} and refuses any other with a reason that
 * names both ranges, so an operator knows which side to upgrade.
 */
public final class Protocol {
    /** The WAMP realm of a city. */
    public static final String REALM = "civitas";
    /** The contract version this build speaks. Raise it when a message changes incompatibly. */
    public static final int VERSION = 1;
    /** The oldest agent contract this controller still understands. */
    public static final int MIN_SUPPORTED = 1;

    private Protocol() {}

    public static boolean isCompatible(int agentVersion) {
        return agentVersion >= MIN_SUPPORTED && agentVersion <= VERSION;
    }

    /** Why an agent speaking {@code agentVersion} is refused, or null when it is accepted. */
    public static String incompatibility(int agentVersion) {
        if (isCompatible(agentVersion)) {
            return null;
        }
        return "agent speaks Civitas protocol " + agentVersion + ", this controller accepts "
                + MIN_SUPPORTED + ".." + VERSION
                + (agentVersion < MIN_SUPPORTED ? ": upgrade the agent" : ": upgrade the controller");
    }
}
