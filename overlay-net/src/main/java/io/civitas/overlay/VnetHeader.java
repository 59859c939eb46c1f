package io.civitas.overlay;

import java.nio.ByteBuffer;

/**
 * The virtio_net_hdr (10 bytes, little-endian on the hosts we run on) that a TAP opened with IFF_VNET_HDR puts in
 * front of every frame, both ways: {@code flags(1) gso_type(1) hdr_len(2) gso_size(2) csum_start(2) csum_offset(2)}.
 * Through it the kernel hands over TCP segments of up to 64 KB (TSO) with a partial checksum, and takes them back.
 */
final class VnetHeader {

    static final int SIZE = 10;
    /** The checksum from csum_start to the end is still to be summed into csum_start + csum_offset. */
    static final int F_NEEDS_CSUM = 1;
    /** The checksums were checked: the kernel need not do it again. */
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;

    private VnetHeader() {}

    static int flags(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    static int gsoType(ByteBuffer b, int at) {
        return b.get(at + 1) & 0xff;
    }

    static int gsoSize(ByteBuffer b, int at) {
        return le(b, at + 4);
    }

    static int csumStart(ByteBuffer b, int at) {
        return le(b, at + 6);
    }

    static int csumOffset(ByteBuffer b, int at) {
        return le(b, at + 8);
    }

    static void write(ByteBuffer b, int at, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
                      int csumOffset) {
        b.put(at, (byte) flags);
        b.put(at + 1, (byte) gsoType);
        putLe(b, at + 2, hdrLen);
        putLe(b, at + 4, gsoSize);
        putLe(b, at + 6, csumStart);
        putLe(b, at + 8, csumOffset);
    }

    private static int le(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
    }

    private static void putLe(ByteBuffer b, int at, int v) {
        b.put(at, (byte) v);
        b.put(at + 1, (byte) (v >>> 8));
    }
}
