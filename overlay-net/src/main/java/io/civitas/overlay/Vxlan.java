package io.civitas.overlay;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * The VXLAN encapsulation of RFC 7348 section 5, as the Linux kernel's vxlan device sends and expects it: an
 * 8-byte header {@code flags(1) reserved(3) VNI(3) reserved(1)} in a UDP datagram, flags 0x08 (the I bit: a
 * valid VNI) and every reserved bit zero, followed by the inner Ethernet frame (no FCS). MACs are handled as
 * 48-bit longs on the forwarding path.
 */
final class Vxlan {

    static final int HEADER = 8;
    static final int FLAG_VNI_VALID = 0x08;
    static final int ETHERNET_HEADER = 14;
    /** Room for any UDP payload: the largest datagram, so nothing is ever truncated on receive. */
    static final int MAX_DATAGRAM = 65535;

    private Vxlan() {}

    /** Writes the header for {@code vni} at the buffer's absolute offset 0. */
    static void writeHeader(ByteBuffer b, int vni) {
        writeHeader(b, 0, vni);
    }

    static void writeHeader(ByteBuffer b, int offset, int vni) {
        b.putInt(offset, FLAG_VNI_VALID << 24);
        b.putInt(offset + 4, vni << 8);
    }

    /**
     * The VNI of a received datagram of {@code length} bytes at offset 0, or -1 when it is not a VXLAN packet
     * carrying an Ethernet frame: too short, I flag clear, or reserved bits set (which the kernel also drops).
     */
    static int vniOf(ByteBuffer b, int length) {
        return vniOf(b, 0, length);
    }

    /** The same for a datagram at {@code offset}. */
    static int vniOf(ByteBuffer b, int offset, int length) {
        if (length < HEADER + ETHERNET_HEADER) {
            return -1;
        }
        int first = b.getInt(offset);
        int second = b.getInt(offset + 4);
        if (first != FLAG_VNI_VALID << 24 || (second & 0xff) != 0) {
            return -1;
        }
        return second >>> 8;
    }

    /** The 48-bit MAC at an absolute offset. */
    static long macAt(ByteBuffer b, int offset) {
        return ((long) (b.getShort(offset) & 0xffff) << 32) | (b.getInt(offset + 2) & 0xffffffffL);
    }

    static long parseMac(String mac) {
        byte[] bytes = HexFormat.ofDelimiter(":").parseHex(mac);
        if (bytes.length != 6) {
            throw new IllegalArgumentException("mac: not 6 bytes: " + mac);
        }
        long v = 0;
        for (byte x : bytes) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    static String formatMac(long mac) {
        byte[] bytes = new byte[6];
        for (int i = 5; i >= 0; i--) {
            bytes[i] = (byte) mac;
            mac >>>= 8;
        }
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }

    /** Broadcast and multicast MACs have the I/G bit (lowest bit of the first byte) set. */
    static boolean isGroup(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }
}
