package io.civitas.overlay;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071) over big-endian buffers, and the IPv4/IPv6 TCP pseudo-headers. Sums are kept
 * unfolded in a long: 32-bit words add up without overflow for any IP packet, and 2^16 = 1 modulo 0xffff, so a
 * 16-bit value counts the same wherever it sits in a word; only odd byte offsets need shifting.
 */
final class Checksums {

    static final int TCP = 6;

    private Checksums() {}

    /** {@code initial} plus the 16-bit words of {@code length} bytes at absolute offset {@code offset}. */
    static long sum(ByteBuffer b, int offset, int length, long initial) {
        long s = initial;
        int i = offset;
        int end = offset + length;
        while (i + 8 <= end) {
            long v = b.getLong(i);
            s += (v >>> 32) + (v & 0xffffffffL);
            i += 8;
        }
        if (i + 4 <= end) {
            s += b.getInt(i) & 0xffffffffL;
            i += 4;
        }
        if (i + 2 <= end) {
            s += b.getShort(i) & 0xffff;
            i += 2;
        }
        if (i < end) {
            s += (b.get(i) & 0xff) << 8;
        }
        return s;
    }

    static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** The checksum field's value for a sum that covered the field as zero. */
    static short finish(long s) {
        return (short) ~fold(s);
    }

    /** Whether a sum that covered the checksum field itself checks out. */
    static boolean valid(long s) {
        return fold(s) == 0xffff;
    }

    /** The TCP pseudo-header of an IPv4 packet whose header starts at {@code ip}, for a TCP segment of tcpLength. */
    static long pseudoIpv4(ByteBuffer b, int ip, int tcpLength) {
        return sum(b, ip + 12, 8, TCP + tcpLength);
    }

    /** The same for IPv6 (RFC 8200 section 8.1): addresses, upper-layer length, next header. */
    static long pseudoIpv6(ByteBuffer b, int ip, int tcpLength) {
        return sum(b, ip + 8, 32, TCP + tcpLength);
    }

    /** Recomputes the 20..60-byte IPv4 header checksum in place. */
    static void fixIpv4Header(ByteBuffer b, int ip) {
        int ihl = (b.get(ip) & 0x0f) * 4;
        b.putShort(ip + 10, (short) 0);
        b.putShort(ip + 10, finish(sum(b, ip, ihl, 0)));
    }
}
