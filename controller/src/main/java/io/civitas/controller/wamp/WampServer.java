package io.civitas.controller.wamp;

import io.civitas.controller.system.WampEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import ws.wamp.jawampa.WampRouter;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The WAMP v2 endpoint agents dial: a Netty WebSocket server (subprotocols wamp.2.json and
 * wamp.2.msgpack) whose every connection passes a {@link SessionGate} before the Jawampa router.
 *
 * <p>It starts after the controller's own session has joined the router, so no agent can say hello
 * before someone listens. A silent connection gets a WebSocket ping; one silent for
 * {@code 3 x keepalive} is closed, so a vanished agent goes offline without any polling.
 */
public final class WampServer implements SmartLifecycle, WampEndpoint {

    private static final Logger log = LoggerFactory.getLogger(WampServer.class);
    public static final String PATH = "/wamp";
    private static final int MAX_MESSAGE_BYTES = 1 << 20;

    private final WampRouter router;
    private final NodeSessions sessions;
    private final ControllerSession controllerSession;
    private final String bindAddress;
    private final int requestedPort;
    private final Duration keepalive;
    private final SslContext tls;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel channel;
    private volatile int port = -1;

    WampServer(WampRouter router, NodeSessions sessions, ControllerSession controllerSession,
               String bindAddress, int requestedPort, Duration keepalive, SslContext tls) {
        this.tls = tls;
        this.router = router;
        this.sessions = sessions;
        this.controllerSession = controllerSession;
        this.bindAddress = bindAddress;
        this.requestedPort = requestedPort;
        this.keepalive = keepalive;
    }

    @Override
    public void start() {
        try {
            controllerSession.open(Duration.ofSeconds(10));
            boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(
                                    new IdleStateHandler(keepalive.toMillis() * 3, keepalive.toMillis(), 0, TimeUnit.MILLISECONDS),
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(64 * 1024),
                                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                            .websocketPath(PATH)
                                            .subprotocols("wamp.2.json,wamp.2.msgpack")
                                            .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                                            .handshakeTimeoutMillis(10_000)
                                            .build()),
                                    new WebSocketFrameAggregator(MAX_MESSAGE_BYTES),
                                    new WebSocketTransport((transport, remote) ->
                                            new SessionGate(transport, remote, sessions, router.connectionAcceptor())));
                        }
                    })
                    .bind(new InetSocketAddress(bindAddress, requestedPort)).sync().channel();
            port = ((InetSocketAddress) channel.localAddress()).getPort();
            log.info("WAMP router listening on {}://{}:{}{}", scheme(), bindAddress, port, PATH);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("cannot start the WAMP endpoint on " + bindAddress + ":" + requestedPort
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the endpoint and every agent connection. The router, the sessions and the controller's
     * own session are closed by Spring afterwards, in reverse order of their creation.
     */
    @Override
    public void stop() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            workers = null;
        }
        port = -1;
    }

    /** Before the web server, so bootstrap and enrollment never name a WAMP endpoint that is not there yet. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    @Override
    public boolean isRunning() {
        return channel != null;
    }

    /** The bound port (useful when configured as 0), or -1 when not running. */
    @Override
    public int port() {
        return port;
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public String scheme() {
        return tls != null ? "wss" : "ws";
    }
}
