package io.civitas.controller.southbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * OpenFlow bundles on an OpenFlow 1.3 channel: the ONF extension (EXT-230) Open vSwitch implements, which
 * openflowj only knows as the OpenFlow 1.4 messages. A bundle applies its flow mods in one transaction, which
 * is both atomic reconciliation and the switch's fastest ingest path (FACTS.md).
 * Layout: ofp_header(type 4 EXPERIMENTER), experimenter 0x4F4E4600, exp_type 2300 (control) or 2301 (add),
 * then bundle_id u32, type u16 (control; 0 in add), flags u16, then (add) the embedded message, whose xid
 * must equal the add message's.
 */
final class OnfBundles {

    static final long ONF_EXPERIMENTER = 0x4F4E4600L;
    static final int BUNDLE_CONTROL = 2300;
    static final int BUNDLE_ADD = 2301;
    static final int OPEN_REQUEST = 0;
    static final int OPEN_REPLY = 1;
    static final int COMMIT_REQUEST = 4;
    static final int COMMIT_REPLY = 5;
    static final int DISCARD_REQUEST = 6;
    static final int FLAG_ATOMIC = 1;
    static final int FLAG_ORDERED = 2;
    private static final int OF13 = 4;
    private static final int EXPERIMENTER = 4;

    /** A bundle control reply from the switch. */
    record Reply(long xid, long bundleId, int type) {}

    private OnfBundles() {}

    static ByteBuf control(long xid, long bundleId, int type, int flags) {
        ByteBuf b = Unpooled.buffer(24);
        header(b, 24, xid, BUNDLE_CONTROL);
        b.writeInt((int) bundleId).writeShort(type).writeShort(flags);
        return b;
    }

    /** Wraps {@code message} (whose xid must be {@code xid}) into a bundle add message. */
    static ByteBuf add(long xid, long bundleId, int flags, OFMessage message, ByteBuf out) {
        int start = out.writerIndex();
        header(out, 0, xid, BUNDLE_ADD);
        out.writeInt((int) bundleId).writeShort(0).writeShort(flags);
        message.writeTo(out);
        out.setShort(start + 2, out.writerIndex() - start);
        return out;
    }

    private static void header(ByteBuf b, int length, long xid, int expType) {
        b.writeByte(OF13).writeByte(EXPERIMENTER).writeShort(length).writeInt((int) xid);
        b.writeInt((int) ONF_EXPERIMENTER).writeInt(expType);
    }

    /** The reply in {@code frame} when it is an ONF bundle control message, else null. */
    static Reply readReply(ByteBuf frame) {
        if (frame.capacity() < 24 || frame.getUnsignedByte(1) != EXPERIMENTER
                || frame.getUnsignedInt(8) != ONF_EXPERIMENTER || frame.getInt(12) != BUNDLE_CONTROL) {
            return null;
        }
        return new Reply(frame.getUnsignedInt(4), frame.getUnsignedInt(16), frame.getUnsignedShort(20));
    }
}
