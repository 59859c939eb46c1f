package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ws.wamp.jawampa.WampMessages.AbortMessage;
import ws.wamp.jawampa.WampMessages.WampMessage;
import ws.wamp.jawampa.WampSerialization;
import ws.wamp.jawampa.connection.IWampConnection;
import ws.wamp.jawampa.connection.IWampConnectionListener;
import ws.wamp.jawampa.connection.IWampConnectionPromise;

import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/**
 * One WebSocket connection carrying WAMP: frames in, {@link WampMessage}s out, and back.
 *
 * <p>Written instead of using Jawampa's {@code WampServerWebsocketHandler} because that class hands
 * connections straight to the router, and every agent connection must pass the {@link SessionGate}
 * first. A frame that is not a WAMP message is a protocol violation: the peer gets ABORT and the
 * connection closes; no other connection is affected.
 */
final class WebSocketTransport extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);
    static final String PROTOCOL_VIOLATION = "wamp.error.protocol_violation";

    /** Given the transport and the peer's address, returns who listens to what the peer sends. */
    private final BiFunction<IWampConnection, String, IWampConnectionListener> onOpen;
    private IWampConnectionListener listener;
    private WampSerialization serialization;

    WebSocketTransport(BiFunction<IWampConnection, String, IWampConnectionListener> onOpen) {
        this.onOpen = onOpen;
    }

    static byte[] encode(WampMessage message, WampSerialization serialization) throws Exception {
        ObjectMapper mapper = serialization.getObjectMapper();
        return mapper.writeValueAsBytes(message.toObjectArray(mapper)); // UTF-8, as a text frame holds
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeComplete handshake) {
            serialization = WampSerialization.fromString(handshake.selectedSubprotocol());
            if (serialization == null || serialization == WampSerialization.Invalid) {
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR,
                        "WAMP needs the WebSocket subprotocol wamp.2.json or wamp.2.msgpack"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            listener = onOpen.apply(new Connection(ctx.channel(), serialization),
                    String.valueOf(ctx.channel().remoteAddress()));
        } else if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                log.info("closing silent WAMP connection from {}", ctx.channel().remoteAddress());
                ctx.close();
            } else {
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof FullHttpRequest) {
                refusePlainHttp(ctx);
            } else if (msg instanceof WebSocketFrame frame && listener != null) {
                WampMessage message = decode(frame);
                if (message == null) {
                    abort(ctx.channel(), "not a WAMP message");
                } else {
                    listener.messageReceived(message);
                }
            }
        } catch (Exception e) {
            abort(ctx.channel(), "not a WAMP message: " + e.getMessage());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.transportClosed();
            listener = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("WAMP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private WampMessage decode(WebSocketFrame frame) throws Exception {
        ObjectMapper mapper = serialization.getObjectMapper();
        // Text frames hold UTF-8: parsed from the bytes, not from a String decoded first.
        JsonNode tree = mapper.readTree(ByteBufUtil.getBytes(frame.content()));
        return tree instanceof ArrayNode array ? WampMessage.fromObjectArray(array) : null;
    }

    private void abort(Channel channel, String why) {
        log.info("protocol violation from {}: {}", channel.remoteAddress(), why);
        new Connection(channel, serialization).sendMessage(
                new AbortMessage(Json.message(why), PROTOCOL_VIOLATION), IWampConnectionPromise.Empty);
        channel.close();
    }

    private static void refusePlainHttp(ChannelHandlerContext ctx) {
        byte[] body = "This is the Civitas WAMP endpoint: connect with a WebSocket, subprotocol wamp.2.json\n"
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.UPGRADE_REQUIRED, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** The transport as Jawampa sees it; writes are thread-safe because Netty's are. */
    record Connection(Channel channel, WampSerialization serialization) implements IWampConnection {
        @Override
        public boolean isSingleWriteOnly() {
            return false;
        }

        @Override
        public void sendMessage(WampMessage message, IWampConnectionPromise<Void> promise) {
            WebSocketFrame frame;
            try {
                frame = frame(encode(message, serialization));
            } catch (Exception e) {
                promise.reject(e);
                return;
            }
            channel.writeAndFlush(frame).addListener(f -> {
                if (f.isSuccess() || f.isCancelled()) {
                    promise.fulfill(null);
                } else {
                    promise.reject(f.cause());
                }
            });
        }

        /**
         * Sends a message encoded already (in this connection's serialization), on the connection's event loop;
         * nobody hears whether it went (the caller has its own way of finding out).
         */
        void sendEncoded(byte[] message) {
            channel.writeAndFlush(frame(message), channel.voidPromise());
        }

        /** A message's bytes in the frame type of this connection's serialization. */
        private WebSocketFrame frame(byte[] message) {
            ByteBuf bytes = Unpooled.wrappedBuffer(message);
            return serialization.isText() ? new TextWebSocketFrame(bytes) : new BinaryWebSocketFrame(bytes);
        }

        @Override
        public void close(boolean sendRemaining, IWampConnectionPromise<Void> promise) {
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE)
                    .addListener(f -> promise.fulfill(null));
        }
    }
}
