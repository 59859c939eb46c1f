package io.civitas.bench.sim;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The converge benchmark's baseline: a raw Netty WebSocket server that, when any client sends {@code go:TEXT},
 * sends TEXT as one text frame to every other connected client; and its clients, which note when the frame
 * arrived. The server runs as a process of its own ({@link #main}: port), as the controller does.
 */
public final class Broadcast {

    private static final String GO = "go:";

    private Broadcast() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new WebSocketServerProtocolHandler("/ws"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                                        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                                            all.add(ctx.channel());
                                        }
                                        super.userEventTriggered(ctx, evt);
                                    }

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        if (frame.text().startsWith(GO)) {
                                            String payload = frame.text().substring(GO.length());
                                            for (Channel c : all) {
                                                if (c != ctx.channel()) {
                                                    c.writeAndFlush(new TextWebSocketFrame(payload));
                                                }
                                            }
                                        }
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel().closeFuture().sync();
    }

    /** Clients of the broadcast server on one event loop group; each notes when its frame arrived. */
    public static final class Clients implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        private final long[] arrivedAt;
        private final Channel[] channels;

        public Clients(int count) {
            this.arrivedAt = new long[count];
            this.channels = new Channel[count];
        }

        /** Connects client {@code i}; completes when its WebSocket handshake is done. */
        public CompletableFuture<Void> connect(int i, URI url) {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            WebSocketClientProtocolHandler protocol = new WebSocketClientProtocolHandler(
                    WebSocketClientHandshakerFactory.newHandshaker(url, WebSocketVersion.V13, null, false,
                            new DefaultHttpHeaders(), 1 << 20));
            new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), protocol,
                                    new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                                            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                                channels[i] = ctx.channel();
                                                ready.complete(null);
                                            }
                                            super.userEventTriggered(ctx, evt);
                                        }

                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                            arrivedAt[i] = System.nanoTime();
                                        }
                                    });
                        }
                    })
                    .connect(url.getHost(), url.getPort()).addListener(f -> {
                        if (!f.isSuccess()) {
                            ready.completeExceptionally(f.cause());
                        }
                    });
            return ready;
        }

        /** Asks the server, from client 0 (which gets nothing back), to send {@code frame} to every other client. */
        public void go(String frame) {
            channels[0].writeAndFlush(new TextWebSocketFrame(GO + frame));
        }

        /** Forgets every arrival, for the next round. */
        public void reset() {
            java.util.Arrays.fill(arrivedAt, 0);
        }

        public long arrivedAt(int i) {
            return arrivedAt[i];
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
