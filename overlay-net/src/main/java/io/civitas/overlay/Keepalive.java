package io.civitas.overlay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The keepalive a node behind NAT sends to its relay every few seconds, from its one VXLAN socket, so that the
 * NAT keeps the mapping open through which the relay reaches the node, and so that the relay learns that
 * mapping (the node's public address and port). It is an ordinary VXLAN packet of 68 bytes:
 *
 * <pre>
 * VXLAN header   08 00 00 00 | VNI (3 bytes) | 00          the overlay's VNI
 * Ethernet       dst = src = the node's MAC in that overlay  (never a group address: never flooded)
 *                EtherType 0x88B5 (IEEE 802 local experimental)
 * payload        "CVKA" (ASCII), version 0x01, then zeros up to 46 bytes (the Ethernet minimum)
 * </pre>
 *
 * A relay consumes it (it is never forwarded); anything else receiving it (a kernel vxlan device) delivers a frame
 * addressed to the sender's own MAC, which nothing accepts.
 */
final class Keepalive {

    static final int ETHER_TYPE = 0x88B5;
    static final int VERSION = 1;
    static final int FRAME = 60;
    static final int PACKET = Vxlan.HEADER + FRAME;
    private static final byte[] MAGIC = "CVKA".getBytes(StandardCharsets.US_ASCII);

    private Keepalive() {}

    /** The whole UDP payload of a keepalive, positioned to be sent. */
    static ByteBuffer packet(int vni, long mac) {
        ByteBuffer b = ByteBuffer.allocate(PACKET);
        Vxlan.writeHeader(b, vni);
        int at = Vxlan.HEADER;
        putMac(b, at, mac);
        putMac(b, at + 6, mac);
        b.putShort(at + 12, (short) ETHER_TYPE);
        b.put(at + 14, MAGIC);
        b.put(at + 18, (byte) VERSION);
        return b.position(0).limit(PACKET);
    }

    /** Whether the VXLAN packet of {@code length} bytes at offset 0 carries a keepalive frame. */
    static boolean is(ByteBuffer b, int length) {
        return is(b, 0, length);
    }

    /** The same for a packet at {@code offset}. */
    static boolean is(ByteBuffer b, int offset, int length) {
        int at = offset + Vxlan.HEADER;
        if (length < PACKET || (b.getShort(at + 12) & 0xffff) != ETHER_TYPE) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(at + 14 + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static void putMac(ByteBuffer b, int offset, long mac) {
        b.putShort(offset, (short) (mac >>> 32));
        b.putInt(offset + 2, (int) mac);
    }
}
