package io.civitas.controller.southbound;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Cuts the byte stream into OpenFlow messages by the header's length field and parses each with openflowj.
 * A frame that openflowj cannot parse becomes an {@link Unparsed} (logged by the channel handler and dropped):
 * the connection survives it. Only a header whose length is below 8 ends the connection, since no later frame
 * boundary can be trusted after it. ONF bundle replies (an OVS extension openflowj does not know) become
 * {@link OnfBundles.Reply}.
 */
final class OFFrameDecoder extends ByteToMessageDecoder {

    static final int HEADER = 8;
    private static final Logger log = LoggerFactory.getLogger(OFFrameDecoder.class);
    private static final OFMessageReader<OFMessage> READER = OFFactories.getGenericReader();

    /** A well-framed message that did not parse. */
    record Unparsed(int version, int type, long xid, int length, String reason) {}

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= HEADER) {
            int start = in.readerIndex();
            int length = in.getUnsignedShort(start + 2);
            if (length < HEADER) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("OpenFlow header with length " + length + " < 8");
            }
            if (in.readableBytes() < length) {
                return;
            }
            ByteBuf frame = in.retainedSlice(start, length);
            in.skipBytes(length);
            try {
                out.add(parse(frame));
            } finally {
                frame.release();
            }
        }
    }

    static Object parse(ByteBuf frame) {
        int version = frame.getUnsignedByte(0);
        int type = frame.getUnsignedByte(1);
        long xid = frame.getUnsignedInt(4);
        OnfBundles.Reply bundle = OnfBundles.readReply(frame);
        if (bundle != null) {
            return bundle;
        }
        try {
            OFMessage message = READER.readFrom(frame);
            if (message == null) {
                return new Unparsed(version, type, xid, frame.capacity(), "incomplete message");
            }
            return message;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            log.debug("OpenFlow frame did not parse", e);
            return new Unparsed(version, type, xid, frame.capacity(), e.getClass().getSimpleName() + ": "
                    + e.getMessage());
        }
    }
}
