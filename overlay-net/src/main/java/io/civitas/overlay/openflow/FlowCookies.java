package io.civitas.overlay.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.types.U64;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Cookies that name a flow by its content: the top byte is {@link #PREFIX} (Civitas' flows), the other 56 bits
 * are a SHA-256 digest of the flow's table, priority, match and instructions as they go on the wire. Equal flows
 * get equal cookies on every controller, so a restarted controller recognises its flows in the switch, and a
 * changed flow (same match, new actions) is a new cookie.
 */
public final class FlowCookies {

    public static final long PREFIX = 0xC1L << 56;
    public static final long PREFIX_MASK = 0xFFL << 56;

    private FlowCookies() {}

    /** The flow with its content cookie (and xid 0, flags and timeouts as given). */
    public static OFFlowAdd stamp(OFFlowAdd flow) {
        OFFlowAdd plain = flow.createBuilder().setXid(0).setCookie(U64.ZERO).build();
        ByteBuf wire = Unpooled.buffer();
        plain.writeTo(wire);
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes);
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        long hash = 0;
        for (int i = 0; i < 7; i++) {
            hash = (hash << 8) | (digest[i] & 0xff);
        }
        return plain.createBuilder().setCookie(U64.of(PREFIX | hash)).build();
    }

    public static boolean isOurs(U64 cookie) {
        return (cookie.getValue() & PREFIX_MASK) == PREFIX;
    }
}
