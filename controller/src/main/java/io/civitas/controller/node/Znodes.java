package io.civitas.controller.node;

import io.civitas.protocol.Inventory;
import io.civitas.protocol.SamplingPlan;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The node registry's layout in ZooKeeper (namespace {@code /civitas}), one place for all of it:
 * <pre>
 * /nodes/&lt;id&gt;              Spec         what an operator said about the node
 * /nodes/&lt;id&gt;/credential   Credential   SHA-256 of the agent's secret (null before enrollment)
 * /nodes/&lt;id&gt;/enrollment   Enrollment   SHA-256 of the current one-time token, expiry, use
 * /nodes/&lt;id&gt;/desired-spec DesiredSpec  the operator's part of the desired state (PUT .../desired)
 * /nodes/&lt;id&gt;/policy-decisions PolicyDecisions  the active policies' part
 * /nodes/&lt;id&gt;/desired      DesiredState (protocol): the two merged (see {@link DesiredStates}), with its
 *                                      generation; what the reconciler pushes
 * /nodes/&lt;id&gt;/reported     Reported     what the agent applied and told us
 * /nodes/&lt;id&gt;/underlay     Underlay (protocol): where the agent's VXLAN endpoint is (from its hello)
 * /nodes/&lt;id&gt;/overlay-memberships  OverlayMemberships: overlays an operator put the node in (REST)
 * /names/&lt;url-encoded name&gt; node id     keeps names unique (created atomically with the node)
 * /presence/&lt;id&gt;           Presence     EPHEMERAL, owned by the ZK session of the controller holding
 *                                      the agent's WAMP session: it vanishes with that controller
 * </pre>
 * Times are epoch milliseconds. Readers ignore unknown fields.
 */
final class Znodes {

    static final String NODES = "/nodes";
    static final String NAMES = "/names";
    static final String PRESENCE = "/presence";

    record Spec(String id, String name, NodeKind kind, Location location, Map<String, String> labels,
                long createdAtMillis) {
        Spec {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    record Credential(String secretSha256, Long issuedAtMillis) {
        static final Credential NONE = new Credential(null, null);
    }

    record Enrollment(String tokenSha256, long expiresAtMillis, Long usedAtMillis) {}

    record Reported(long appliedGeneration, Long appliedAtMillis, Integer protocolVersion, Inventory inventory,
                    Long lastSeenMillis) {
        static final Reported NEVER = new Reported(0, null, null, null, null);
    }

    /** The operator's part of a node's desired state; sampling sorted by sensor. */
    record DesiredSpec(Map<String, String> labels, List<SamplingPlan> sampling) {
        static final DesiredSpec EMPTY = new DesiredSpec(Map.of(), List.of());

        DesiredSpec {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            sampling = sampling == null ? List.of() : List.copyOf(sampling);
        }
    }

    record Presence(long sessionId, String controllerId, String remoteAddress, long sinceMillis) {}

    private Znodes() {}

    static String node(String id) {
        return NODES + "/" + id;
    }

    static String credential(String id) {
        return node(id) + "/credential";
    }

    static String enrollment(String id) {
        return node(id) + "/enrollment";
    }

    static String desired(String id) {
        return node(id) + "/desired";
    }

    static String desiredSpec(String id) {
        return node(id) + "/desired-spec";
    }

    static String policyDecisions(String id) {
        return node(id) + "/policy-decisions";
    }

    static String reported(String id) {
        return node(id) + "/reported";
    }

    static String underlay(String id) {
        return node(id) + "/underlay";
    }

    static String overlayMemberships(String id) {
        return node(id) + "/overlay-memberships";
    }

    static String presence(String id) {
        return PRESENCE + "/" + id;
    }

    /** URL-encoded, so any name is one valid znode name ("." and ".." cannot occur: names start alphanumeric). */
    static String name(String name) {
        return NAMES + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }
}
