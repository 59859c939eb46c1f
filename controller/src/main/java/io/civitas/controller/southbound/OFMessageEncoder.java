package io.civitas.controller.southbound;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** Writes openflowj messages; a {@link ByteBuf} (an ONF bundle message openflowj cannot build) passes as is. */
final class OFMessageEncoder extends MessageToByteEncoder<Object> {

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof OFMessage || msg instanceof ByteBuf;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        if (msg instanceof OFMessage m) {
            m.writeTo(out);
        } else {
            out.writeBytes((ByteBuf) msg);
        }
    }
}
