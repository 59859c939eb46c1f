package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ws.wamp.jawampa.ApplicationError;
import ws.wamp.jawampa.WampMessages.ErrorMessage;
import ws.wamp.jawampa.WampMessages.InvocationMessage;
import ws.wamp.jawampa.WampMessages.RegisterMessage;
import ws.wamp.jawampa.WampMessages.RegisteredMessage;
import ws.wamp.jawampa.WampMessages.UnregisterMessage;
import ws.wamp.jawampa.WampMessages.YieldMessage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The controller's calls to one agent's procedures, made on the agent's connection instead of through
 * the router: the registration ids come from the router's REGISTERED answers (watched, not changed), the
 * INVOCATION is sent here, and the matching YIELD or ERROR is taken back before the router sees it.
 * To the agent this is plain WAMP; the controller skips two hops through the router's single event loop.
 *
 * <p>Request ids are random in WAMP's id range, like the router's own; a clash with one of the router's
 * is as unlikely as two random 53-bit numbers meeting.
 */
final class DirectCalls {

    private final Map<Long, String> registering = new ConcurrentHashMap<>();
    private final Map<String, Long> registrations = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<ArrayNode>> pending = new ConcurrentHashMap<>();

    /** Sends an INVOCATION of {@code procedure}; completes with the YIELD's arguments or the agent's error. */
    CompletableFuture<ArrayNode> invoke(String procedure, ArrayNode arguments, ObjectNode keywords,
                                        Consumer<InvocationMessage> send) {
        CompletableFuture<ArrayNode> result = new CompletableFuture<>();
        Long registration = registrations.get(procedure);
        if (registration == null) {
            result.completeExceptionally(new ApplicationError(ApplicationError.NO_SUCH_PROCEDURE));
            return result;
        }
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong(1, 1L << 53);
        } while (pending.putIfAbsent(id, result) != null);
        long requestId = id;
        result.whenComplete((r, e) -> pending.remove(requestId));
        send.accept(new InvocationMessage(requestId, registration, Json.object(), arguments, keywords));
        return result;
    }

    /** The agent's answer to one of our invocations: handled here (true) or the router's business (false). */
    boolean takeAnswer(Object message) {
        if (message instanceof YieldMessage m) {
            CompletableFuture<ArrayNode> caller = pending.remove(m.requestId);
            if (caller != null) {
                caller.complete(m.arguments);
                return true;
            }
        } else if (message instanceof ErrorMessage m && m.requestType == InvocationMessage.ID) {
            CompletableFuture<ArrayNode> caller = pending.remove(m.requestId);
            if (caller != null) {
                caller.completeExceptionally(new ApplicationError(m.error, m.arguments, m.argumentsKw));
                return true;
            }
        }
        return false;
    }

    /** One invocation could not be sent. */
    void fail(long requestId, RuntimeException cause) {
        CompletableFuture<ArrayNode> caller = pending.remove(requestId);
        if (caller != null) {
            caller.completeExceptionally(cause);
        }
    }

    /** Watches what the agent sends to the router: REGISTER and UNREGISTER. */
    void fromAgent(Object message) {
        if (message instanceof RegisterMessage m) {
            registering.put(m.requestId, m.procedure);
        } else if (message instanceof UnregisterMessage m) {
            registrations.values().remove(m.registrationId);
        }
    }

    /** Watches what the router answers: REGISTERED (and refusals of REGISTER). */
    void fromRouter(Object message) {
        if (message instanceof RegisteredMessage m) {
            String procedure = registering.remove(m.requestId);
            if (procedure != null) {
                registrations.put(procedure, m.registrationId);
            }
        } else if (message instanceof ErrorMessage m && m.requestType == RegisterMessage.ID) {
            registering.remove(m.requestId);
        }
    }

    /** The connection ended: every call still waiting fails with {@code cause}. */
    void failAll(RuntimeException cause) {
        pending.values().forEach(f -> f.completeExceptionally(cause));
    }
}
