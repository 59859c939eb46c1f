package io.civitas.controller.southbound;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The TCP (optionally TLS) server switches connect to. Each connection gets a pipeline of named stages, one
 * concern each: {@code tls}, {@code codec} (frame and parse), {@code encoder}, {@code idle} (echo keepalive),
 * {@code handshake-timeout}, {@code channel} (the handshake state machine and dispatch).
 */
public final class OpenFlowServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenFlowServer.class);
    private final OpenFlowProperties properties;
    private final SwitchRegistry registry;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel listener;

    public OpenFlowServer(OpenFlowProperties properties, SwitchRegistry registry) {
        this.properties = properties;
        this.registry = registry;
    }

    public synchronized OpenFlowServer start() {
        SslContext ssl = sslContext();
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        long echoMillis = properties.echoInterval().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        p.addLast("codec", new OFFrameDecoder());
                        p.addLast("encoder", new OFMessageEncoder());
                        p.addLast("idle", new IdleStateHandler(3 * echoMillis, 0, echoMillis, TimeUnit.MILLISECONDS));
                        p.addLast("handshake-timeout", new HandshakeTimeoutHandler(properties.handshakeTimeout()));
                        p.addLast("channel", new OFChannelHandler(registry, properties.requestTimeout()));
                    }
                });
        try {
            listener = bootstrap.bind(new InetSocketAddress(properties.bindAddress(), properties.port()))
                    .sync().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("Cannot listen for OpenFlow switches on " + properties.bindAddress()
                    + ":" + properties.port() + ": " + e.getMessage()
                    + " (set civitas.openflow.port, or civitas.openflow.enabled=false)", e);
        }
        log.info("OpenFlow 1.3 southbound listening on {}{}", listener.localAddress(), ssl != null ? " (TLS)" : "");
        return this;
    }

    /** The port switches connect to (the bound one when configured as 0); -1 when not listening. */
    public synchronized int port() {
        return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public SwitchRegistry registry() {
        return registry;
    }

    private SslContext sslContext() {
        if (!properties.tls().enabled()) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(properties.tls().certificate().toFile(),
                    properties.tls().privateKey().toFile()).build();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot load the OpenFlow TLS certificate or key: " + e.getMessage(), e);
        }
    }

    @Override
    /** Stops listening and closes every connection; closing twice is harmless. */
    public synchronized void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
            listener = null;
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers = null;
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            boss = null;
        }
    }
}
