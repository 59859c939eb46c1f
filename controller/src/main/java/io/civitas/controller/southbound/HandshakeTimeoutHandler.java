package io.civitas.controller.southbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not finished the OpenFlow handshake in time, so a switch that stalls (or a port
 * scanner) holds no resources. Leaves the pipeline when the channel handler reports {@link #COMPLETE}.
 */
final class HandshakeTimeoutHandler extends ChannelInboundHandlerAdapter {

    /** The user event the channel handler fires when the connection is ACTIVE. */
    static final Object COMPLETE = new Object();
    private static final Logger log = LoggerFactory.getLogger(HandshakeTimeoutHandler.class);
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    HandshakeTimeoutHandler(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timer = ctx.executor().schedule(() -> {
            log.warn("Switch at {} did not finish the OpenFlow handshake within {}; closing",
                    ctx.channel().remoteAddress(), timeout);
            ctx.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == COMPLETE) {
            cancel();
            ctx.pipeline().remove(this);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
