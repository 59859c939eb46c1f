package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.protocol.Protocol;
import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.civitas.controller.agent.AgentUnreachableException;
import ws.wamp.jawampa.WampMessages.AbortMessage;
import ws.wamp.jawampa.WampMessages.AuthenticateMessage;
import ws.wamp.jawampa.WampMessages.CallMessage;
import ws.wamp.jawampa.WampMessages.ChallengeMessage;
import ws.wamp.jawampa.WampMessages.ErrorMessage;
import ws.wamp.jawampa.WampMessages.GoodbyeMessage;
import ws.wamp.jawampa.WampMessages.HelloMessage;
import ws.wamp.jawampa.WampMessages.UnregisterMessage;
import ws.wamp.jawampa.WampMessages.PublishMessage;
import ws.wamp.jawampa.WampMessages.RegisterMessage;
import ws.wamp.jawampa.WampMessages.SubscribeMessage;
import ws.wamp.jawampa.WampMessages.SubscribedMessage;
import ws.wamp.jawampa.WampMessages.UnsubscribeMessage;
import ws.wamp.jawampa.WampMessages.WampMessage;
import ws.wamp.jawampa.WampMessages.WelcomeMessage;
import ws.wamp.jawampa.WampSerialization;
import ws.wamp.jawampa.connection.IWampConnection;
import ws.wamp.jawampa.connection.IWampConnectionAcceptor;
import ws.wamp.jawampa.connection.IWampConnectionListener;
import ws.wamp.jawampa.connection.IWampConnectionPromise;
import ws.wamp.jawampa.connection.WampConnectionPromise;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stands between one agent's WebSocket and the Jawampa router, which has neither authentication
 * nor authorization (FACTS.md). It answers HELLO with a WAMP ticket CHALLENGE, lets HELLO through
 * only after the ticket matched the node's credential, and afterwards lets a session touch only its
 * own node's URIs: REGISTER, PUBLISH and SUBSCRIBE under {@code city.node.<self>.}, CALL to that
 * prefix or to {@code city.controller.*}. Calls to the controller get the caller's node id and
 * session added as {@code caller_authid}/{@code caller_session} keyword arguments, overwriting
 * whatever the caller put there, since Jawampa's router discloses no caller. One topic outside the prefix may be
 * subscribed to, {@link WampUris#CITY_DEFAULTS}, which only the controller publishes on, and not through the router
 * ({@link NodeSessions#announce}: the subscription id is watched in the router's SUBSCRIBED answer); the agent's
 * answers to it (PUBLISH on its own {@code applied} topic) go straight to {@link NodeSessions} too.
 *
 * <p>The controller's calls to the agent's own procedures go through {@link DirectCalls}, not the router.
 */
final class SessionGate implements IWampConnectionListener {

    private static final Logger log = LoggerFactory.getLogger(SessionGate.class);

    private enum Phase { AWAIT_HELLO, AUTHENTICATING, AWAIT_WELCOME, ESTABLISHED, CLOSED }

    private final IWampConnection transport;
    private final String remoteAddress;
    private final NodeSessions sessions;
    private final IWampConnectionListener router;
    private final AtomicBoolean left = new AtomicBoolean();
    private volatile Phase phase = Phase.AWAIT_HELLO;
    private volatile boolean ready;
    private volatile HelloMessage hello;
    private volatile String nodeId;
    private volatile long sessionId;
    private volatile String prefix;
    private volatile String appliedTopic;
    private volatile long defaultsSubscribing = -1;
    private volatile long defaultsSubscription = -1;
    private final DirectCalls calls = new DirectCalls();

    SessionGate(IWampConnection transport, String remoteAddress, NodeSessions sessions, IWampConnectionAcceptor routerAcceptor) {
        this.transport = transport;
        this.remoteAddress = remoteAddress;
        this.sessions = sessions;
        this.router = routerAcceptor.createNewConnectionListener();
        routerAcceptor.acceptNewConnection(new TowardsAgent(), router);
    }

    String nodeId() {
        return nodeId;
    }

    long sessionId() {
        return sessionId;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    boolean isReady() {
        return ready && phase == Phase.ESTABLISHED;
    }

    /** The agent's subscription to the city's defaults ({@link WampUris#CITY_DEFAULTS}); -1 without one. */
    long defaultsSubscription() {
        return defaultsSubscription;
    }

    /** True when the city's defaults go to this session as a message: ready, subscribed, on a WebSocket. */
    boolean takesDefaults() {
        return defaultsSubscription >= 0 && isReady() && connection() != null;
    }

    /** The agent's WebSocket, for messages encoded once for many agents; null for a transport of another kind. */
    WebSocketTransport.Connection connection() {
        return transport instanceof WebSocketTransport.Connection c ? c : null;
    }

    void markReady() {
        ready = true;
    }

    // ---- from the agent ----

    @Override
    public void messageReceived(WampMessage message) {
        switch (phase) {
            case AWAIT_HELLO -> onHello(message);
            case AUTHENTICATING -> onAuthenticate(message);
            case ESTABLISHED -> authorize(message);
            // The spec has a client wait for WELCOME; anything sent before it would pass unchecked.
            case AWAIT_WELCOME -> abort(WebSocketTransport.PROTOCOL_VIOLATION, "wait for WELCOME before sending");
            case CLOSED -> { }
        }
    }

    @Override
    public void transportClosed() {
        closed();
    }

    @Override
    public void transportError(Throwable cause) {
        closed();
    }

    private void closed() {
        phase = Phase.CLOSED;
        router.transportClosed();
        calls.failAll(new AgentUnreachableException(nodeId));
        if (sessionId != 0 && left.compareAndSet(false, true)) {
            sessions.left(this);
        }
    }

    private void onHello(WampMessage message) {
        if (!(message instanceof HelloMessage h)) {
            abort(WebSocketTransport.PROTOCOL_VIOLATION, "the first message must be HELLO");
            return;
        }
        if (!Protocol.REALM.equals(h.realm)) {
            abort("wamp.error.no_such_realm", "this router serves the realm '" + Protocol.REALM + "' only");
            return;
        }
        if (!offersTicket(h.details)) {
            abort("wamp.error.no_auth_method",
                    "this router requires ticket authentication: authid = node id, ticket = the node's credential");
            return;
        }
        String authid = h.details.path("authid").asText(null);
        if (!WampUris.isValidNodeId(authid)) {
            abort(WampUris.ERROR_AUTHENTICATION_FAILED, "authid must be a node id");
            return;
        }
        hello = h;
        nodeId = authid;
        prefix = WampUris.nodePrefix(authid);
        appliedTopic = WampUris.applied(authid);
        phase = Phase.AUTHENTICATING;
        transport.sendMessage(new ChallengeMessage("ticket", Json.object()), IWampConnectionPromise.Empty);
    }

    private void onAuthenticate(WampMessage message) {
        if (!(message instanceof AuthenticateMessage auth)) {
            abort(WebSocketTransport.PROTOCOL_VIOLATION, "expected AUTHENTICATE after CHALLENGE");
            return;
        }
        phase = Phase.AWAIT_WELCOME;
        sessions.verify(nodeId, auth.signature).thenAccept(valid -> {
            if (!valid) {
                log.info("refused WAMP session from {}: wrong credential for node {}", remoteAddress, nodeId);
                abort(WampUris.ERROR_AUTHENTICATION_FAILED, "unknown node or wrong credential for node " + nodeId);
            } else if (phase == Phase.AWAIT_WELCOME) {
                router.messageReceived(hello);
            }
        });
    }

    /**
     * Calls a procedure this session registered, with {@code arguments} and {@code keywords} (may be null);
     * completes with the YIELD's arguments.
     */
    CompletableFuture<ArrayNode> invoke(String procedure, ArrayNode arguments, ObjectNode keywords) {
        if (phase != Phase.ESTABLISHED) {
            return CompletableFuture.failedFuture(new AgentUnreachableException(nodeId));
        }
        return calls.invoke(procedure, arguments, keywords, invocation -> transport.sendMessage(invocation,
                new WampConnectionPromise<>(sent -> {
                    if (!sent.isSuccess()) {
                        calls.fail(invocation.requestId, new AgentUnreachableException(nodeId));
                    }
                }, null)));
    }

    private void authorize(WampMessage message) {
        if (calls.takeAnswer(message)) {
            return;
        }
        if (message instanceof RegisterMessage m && !ownUri(m.procedure)) {
            refuse(RegisterMessage.ID, m.requestId, "register", m.procedure);
            return;
        }
        calls.fromAgent(message);
        if (message instanceof RegisterMessage || message instanceof UnregisterMessage) {
            router.messageReceived(message);
        } else if (message instanceof SubscribeMessage m && WampUris.CITY_DEFAULTS.equals(m.topic)) {
            defaultsSubscribing = m.requestId;
            router.messageReceived(message);
        } else if (message instanceof UnsubscribeMessage m && m.subscriptionId == defaultsSubscription) {
            defaultsSubscription = -1;
            router.messageReceived(message);
        } else if (message instanceof SubscribeMessage m && !ownUri(m.topic)) {
            refuse(SubscribeMessage.ID, m.requestId, "subscribe to", m.topic);
        } else if (message instanceof PublishMessage m && appliedTopic.equals(m.topic)) {
            // Nobody subscribes to it: the controller takes it here, on the connection's thread, as it takes answers.
            sessions.appliedReported(this, m.arguments == null || m.arguments.isEmpty() ? null : m.arguments.get(0));
        } else if (message instanceof PublishMessage m && !ownUri(m.topic)) {
            // WAMP answers a refused PUBLISH only when the publisher asked for an acknowledgement.
            if (m.options != null && m.options.path("acknowledge").asBoolean(false)) {
                refuse(PublishMessage.ID, m.requestId, "publish to", m.topic);
            }
        } else if (message instanceof CallMessage m) {
            if (m.procedure != null && m.procedure.startsWith(WampUris.CONTROLLER_PREFIX)) {
                router.messageReceived(withCaller(m));
            } else if (ownUri(m.procedure)) {
                router.messageReceived(m);
            } else {
                refuse(CallMessage.ID, m.requestId, "call", m.procedure);
            }
        } else {
            router.messageReceived(message);
        }
    }

    private boolean ownUri(String uri) {
        return uri != null && uri.startsWith(prefix);
    }

    private CallMessage withCaller(CallMessage m) {
        ObjectNode kw = m.argumentsKw == null ? Json.object() : m.argumentsKw.deepCopy();
        kw.put("caller_authid", nodeId).put("caller_session", sessionId);
        ArrayNode args = m.arguments == null ? JsonNodeFactory.instance.arrayNode() : m.arguments;
        return new CallMessage(m.requestId, m.options, m.procedure, args, kw);
    }

    private void refuse(int requestType, long requestId, String action, String uri) {
        log.info("node {} may not {} {}", nodeId, action, uri);
        ArrayNode args = JsonNodeFactory.instance.arrayNode()
                .add("node " + nodeId + " may not " + action + " " + uri + "; its URIs start with " + prefix);
        transport.sendMessage(new ErrorMessage(requestType, requestId, Json.object(),
                WampUris.ERROR_NOT_AUTHORIZED, args, null), IWampConnectionPromise.Empty);
    }

    private static boolean offersTicket(ObjectNode details) {
        JsonNode methods = details == null ? null : details.get("authmethods");
        if (methods != null && methods.isArray()) {
            for (JsonNode m : methods) {
                if ("ticket".equals(m.asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Refuses the session before it was established: ABORT with a reason, then close. */
    private void abort(String reason, String text) {
        phase = Phase.CLOSED;
        transport.sendMessage(new AbortMessage(Json.message(text), reason), IWampConnectionPromise.Empty);
        transport.close(true, IWampConnectionPromise.Empty);
    }

    /** Ends an established session (node deleted, credential revoked, or a newer session took over). */
    void evict(String why) {
        log.info("ending session {} of node {}: {}", sessionId, nodeId, why);
        transport.sendMessage(new GoodbyeMessage(Json.message(why), "wamp.close.close_realm"), IWampConnectionPromise.Empty);
        transport.close(true, IWampConnectionPromise.Empty);
    }

    // ---- from the router ----

    /** The router's view of the agent's connection: passes everything, notes the WELCOME. */
    private final class TowardsAgent implements IWampConnection {
        @Override
        public WampSerialization serialization() {
            return transport.serialization();
        }

        @Override
        public boolean isSingleWriteOnly() {
            return transport.isSingleWriteOnly();
        }

        @Override
        public void sendMessage(WampMessage message, IWampConnectionPromise<Void> promise) {
            calls.fromRouter(message);
            if (message instanceof SubscribedMessage m && m.requestId == defaultsSubscribing) {
                defaultsSubscription = m.subscriptionId;
            }
            if (message instanceof WelcomeMessage welcome && phase == Phase.AWAIT_WELCOME) {
                welcome.details.put("authid", nodeId).put("authrole", "node")
                        .put("authmethod", "ticket").put("authprovider", "civitas");
                sessionId = welcome.sessionId;
                phase = Phase.ESTABLISHED;
                transport.sendMessage(message, promise);
                sessions.joined(SessionGate.this);
                return;
            }
            transport.sendMessage(message, promise);
        }

        @Override
        public void close(boolean sendRemaining, IWampConnectionPromise<Void> promise) {
            transport.close(sendRemaining, promise);
        }
    }
}
