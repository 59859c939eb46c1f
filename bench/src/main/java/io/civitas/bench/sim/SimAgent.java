package io.civitas.bench.sim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.WampUris;
import io.netty.buffer.ByteBufUtil;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated node agent: the real protocol (WAMP v2, {@code wamp.2.json}, ticket authentication, the
 * agent's registrations and hello) over a real WebSocket, without the agent's sensors, files or threads:
 * every agent of a {@link SimFleet} shares its event loop. It takes the city's defaults as the real agent does
 * (subscribed to {@code city.defaults}; a newer version raises the generation; answered on its applied topic).
 * {@code apply} records the generation and answers
 * what a real agent answers, refusing a push of an older mastership epoch as the real agent does. When its connection ends it dials the next controller of its list after a short
 * jittered pause, as the real agent does.
 */
public final class SimAgent {

    private static final int HELLO = 1, WELCOME = 2, ABORT = 3, CHALLENGE = 4, AUTHENTICATE = 5, GOODBYE = 6,
            ERROR = 8, PUBLISH = 16, SUBSCRIBE = 32, SUBSCRIBED = 33, EVENT = 36, CALL = 48, RESULT = 50, REGISTER = 64,
            REGISTERED = 65, INVOCATION = 68, YIELD = 70;

    private final SimFleet fleet;
    private final String nodeId;
    private final String secret;
    private final List<URI> wampUrls;
    private volatile int at;
    private volatile boolean joined;
    private volatile long appliedGeneration;
    private volatile long heldEpoch;
    private volatile long applyCalls;
    private volatile long appliedAtNanos;
    private volatile byte[] lastApplyFrame;
    private volatile Channel channel;
    private volatile boolean stopped;
    private long applyRegistration = -1;
    private long pingRegistration = -1;
    private long defaultsSubscription = -1;
    /** The version of the city's defaults record in the applied state (-1: none). */
    private volatile int defaultsVersion = -1;
    private long published;

    SimAgent(SimFleet fleet, String nodeId, String secret, List<URI> wampUrls, int first) {
        this.fleet = fleet;
        this.nodeId = nodeId;
        this.secret = secret;
        this.wampUrls = List.copyOf(wampUrls);
        this.at = first % wampUrls.size();
    }

    public String nodeId() {
        return nodeId;
    }

    /** True once hello was answered, until the connection ends. */
    public boolean joined() {
        return joined;
    }

    /** The WAMP URL of the controller it is (or was last) connected to. */
    public URI controller() {
        return wampUrls.get(at);
    }

    public long appliedGeneration() {
        return appliedGeneration;
    }

    public long applyCalls() {
        return applyCalls;
    }

    /** {@link System#nanoTime()} when the applied generation last rose; 0 before. */
    public long appliedAtNanos() {
        return appliedAtNanos;
    }

    /**
     * The text of the last frame that raised the applied generation, as it came (an apply INVOCATION, or an EVENT of
     * the city's defaults): the bytes a broadcast baseline sends.
     */
    public String lastApplyFrame() {
        byte[] frame = lastApplyFrame;
        return frame == null ? null : new String(frame, StandardCharsets.UTF_8);
    }

    void connect() {
        if (stopped) {
            return;
        }
        URI url = wampUrls.get(at);
        WebSocketClientProtocolHandler protocol = new WebSocketClientProtocolHandler(
                WebSocketClientHandshakerFactory.newHandshaker(url, WebSocketVersion.V13, "wamp.2.json", false,
                        new DefaultHttpHeaders(), 1 << 20));
        ChannelFuture connecting = new Bootstrap().group(fleet.group()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), protocol,
                                new Handler());
                    }
                })
                .connect(url.getHost(), url.getPort());
        channel = connecting.channel();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                again();
            }
        });
    }

    void stop() {
        stopped = true;
        Channel c = channel;
        if (c != null) {
            c.close();
        }
    }

    /** The connection is over: the next controller of the list, after 50-250 ms. */
    private void again() {
        joined = false;
        if (stopped) {
            return;
        }
        at = (at + 1) % wampUrls.size();
        fleet.group().schedule(this::connect, ThreadLocalRandom.current().nextLong(50, 250), TimeUnit.MILLISECONDS);
    }

    private void send(ChannelHandlerContext ctx, ArrayNode message) {
        ctx.writeAndFlush(new TextWebSocketFrame(message.toString()));
    }

    private void onMessage(ChannelHandlerContext ctx, byte[] frame, JsonNode m) {
        ObjectMapper json = fleet.json();
        switch (m.get(0).asInt()) {
            case CHALLENGE -> send(ctx, json.createArrayNode().add(AUTHENTICATE).add(secret).add(json.createObjectNode()));
            case WELCOME -> {
                send(ctx, json.createArrayNode().add(REGISTER).add(1).add(json.createObjectNode())
                        .add(WampUris.apply(nodeId)));
                send(ctx, json.createArrayNode().add(REGISTER).add(2).add(json.createObjectNode())
                        .add(WampUris.ping(nodeId)));
                send(ctx, json.createArrayNode().add(SUBSCRIBE).add(4).add(json.createObjectNode()).add(WampUris.CITY_DEFAULTS));
                ObjectNode hello = json.createObjectNode().put("nodeId", nodeId).put("protocolVersion", 1)
                        .put("appliedGeneration", appliedGeneration);
                hello.putNull("inventory");
                send(ctx, json.createArrayNode().add(CALL).add(3).add(json.createObjectNode())
                        .add("city.controller.hello").add(json.createArrayNode().add(hello)));
            }
            case REGISTERED -> {
                if (m.get(1).asLong() == 1) {
                    applyRegistration = m.get(2).asLong();
                } else {
                    pingRegistration = m.get(2).asLong();
                }
            }
            case SUBSCRIBED -> {
                if (m.get(1).asLong() == 4) {
                    defaultsSubscription = m.get(2).asLong();
                }
            }
            case RESULT -> {
                if (m.get(1).asLong() == 3) {
                    joined = true;
                }
            }
            case INVOCATION -> {
                long request = m.get(1).asLong();
                long registration = m.get(2).asLong();
                JsonNode args = m.size() > 4 ? m.get(4) : json.createArrayNode();
                if (registration == applyRegistration) {
                    long generation = args.get(0).path("generation").asLong();
                    long epoch = m.size() > 5 ? m.get(5).path("epoch").asLong() : 0;
                    applyCalls++;
                    if (epoch < heldEpoch) { // the real agent's fencing rule, kept in memory only
                        send(ctx, json.createArrayNode().add(ERROR).add(INVOCATION).add(request).add(json.createObjectNode())
                                .add("city.error.stale_epoch").add(json.createArrayNode().add("stale mastership epoch"))
                                .add(json.createObjectNode().put("nodeId", nodeId).put("heldEpoch", heldEpoch)
                                        .put("offeredEpoch", epoch)));
                        return;
                    }
                    heldEpoch = epoch;
                    if (generation > appliedGeneration) {
                        appliedGeneration = generation;
                        defaultsVersion = args.get(0).path("defaultsVersion").asInt(-1);
                        appliedAtNanos = System.nanoTime();
                        lastApplyFrame = frame; // as it came: the baseline sends these bytes
                    }
                    long answer = appliedGeneration;
                    // Answered after the event loop has read what else arrived: ten thousand agents share two
                    // threads here, and one agent's answer must not delay another's receipt (boards have a CPU each).
                    ctx.executor().execute(() -> ctx.writeAndFlush(new TextWebSocketFrame("[" + YIELD + "," + request
                            + ",{},[" + applied(answer) + "]]"))); // by hand: the simulator's CPU is the controller's too
                } else if (registration == pingRegistration) {
                    send(ctx, json.createArrayNode().add(YIELD).add(request).add(json.createObjectNode()).add(args));
                }
            }
            case GOODBYE -> {
                send(ctx, json.createArrayNode().add(GOODBYE).add(json.createObjectNode()).add("wamp.close.goodbye_and_out"));
                ctx.close();
            }
            case ABORT, ERROR -> ctx.close();
            default -> { }
        }
    }

    /**
     * The city's defaults at {@code version} arrived on {@code subscription}: a newer version raises the generation as
     * the real agent's does; answered as the real agent does, after a random pause
     * ({@link SamplingDefaults#answerPauseMillis}).
     */
    private void onDefaults(ChannelHandlerContext ctx, byte[] frame, long subscription, int version) {
        if (subscription != defaultsSubscription) {
            return;
        }
        if (appliedGeneration > 0 && version > defaultsVersion) {
            appliedGeneration = DesiredState.generationWith(appliedGeneration,
                    defaultsVersion < 0 ? null : defaultsVersion, version);
            defaultsVersion = version;
            appliedAtNanos = System.nanoTime();
            lastApplyFrame = frame;
        }
        long answer = appliedGeneration;
        long request = ++published;
        ctx.executor().schedule(() -> ctx.writeAndFlush(new TextWebSocketFrame("[" + PUBLISH + "," + request
                + ",{},\"" + WampUris.applied(nodeId) + "\",[" + applied(answer) + "]]")),
                SamplingDefaults.answerPauseMillis(ThreadLocalRandom.current()), TimeUnit.MILLISECONDS);
    }

    /**
     * Reads an EVENT's subscription and its argument's {@code version} with the streaming parser, without a tree: the
     * simulator's CPU is the controller's too. Null when {@code frame} is not an EVENT.
     */
    private long[] event(byte[] frame) throws java.io.IOException {
        try (JsonParser p = fleet.json().getFactory().createParser(frame)) {
            if (p.nextToken() != JsonToken.START_ARRAY || p.nextToken() != JsonToken.VALUE_NUMBER_INT
                    || p.getIntValue() != EVENT) {
                return null;
            }
            p.nextToken();
            long subscription = p.getLongValue();
            p.nextToken(); // publication
            p.nextToken(); // details
            p.skipChildren();
            int version = -1;
            if (p.nextToken() == JsonToken.START_ARRAY && p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if ("version".equals(field)) {
                        version = p.getIntValue();
                    } else {
                        p.skipChildren();
                    }
                }
            }
            return new long[] {subscription, version};
        }
    }

    /** An AppliedState, written by hand. */
    private String applied(long generation) {
        return "{\"nodeId\":\"" + nodeId + "\",\"generation\":" + generation + ",\"appliedAtMillis\":"
                + System.currentTimeMillis() + "}";
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ObjectMapper json = fleet.json();
                ObjectNode details = json.createObjectNode();
                ObjectNode roles = details.putObject("roles");
                roles.putObject("callee");
                roles.putObject("caller");
                roles.putObject("publisher");
                details.putArray("authmethods").add("ticket");
                details.put("authid", nodeId);
                send(ctx, json.createArrayNode().add(HELLO).add("civitas").add(details));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object frame) throws Exception {
            if (frame instanceof TextWebSocketFrame text) {
                // Parsed from the bytes; decoded to text only when kept (the simulator's CPU is the controller's too).
                byte[] received = ByteBufUtil.getBytes(text.content());
                long[] event = event(received);
                if (event != null) {
                    onDefaults(ctx, received, event[0], (int) event[1]);
                } else {
                    onMessage(ctx, received, fleet.json().readTree(received));
                }
            } else if (frame instanceof CloseWebSocketFrame) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            again();
            super.channelInactive(ctx);
        }
    }
}
