package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WAMP peer written against the wire format (JDK WebSocket, JSON arrays), not against Jawampa,
 * so the tests prove what any conforming client library sees.
 */
public final class RawWampClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    public RawWampClient(URI uri) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("wamp.2.json")
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                inbox.add(JSON.readTree(text.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                        closed.complete(status);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(-1);
                    }
                }).get(5, TimeUnit.SECONDS);
    }

    String subprotocol() {
        return socket.getSubprotocol();
    }

    public void send(String json) {
        socket.sendText(json, true).join();
    }

    /** The next message, or fails after 5 s. */
    public JsonNode next() throws InterruptedException {
        JsonNode message = inbox.poll(5, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no WAMP message within 5 s");
        }
        return message;
    }

    /** Joins the realm with ticket authentication; returns the WELCOME (or whatever came instead). */
    public JsonNode join(String nodeId, String ticket) throws InterruptedException {
        send("[1,\"civitas\",{\"authmethods\":[\"ticket\"],\"authid\":\"" + nodeId
                + "\",\"roles\":{\"caller\":{},\"callee\":{},\"publisher\":{},\"subscriber\":{}}}]");
        JsonNode challenge = next();
        if (challenge.get(0).asInt() != 4) {
            return challenge;
        }
        send("[5,\"" + ticket + "\",{}]");
        return next();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
