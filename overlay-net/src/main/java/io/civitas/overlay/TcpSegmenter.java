package io.civitas.overlay;

import java.nio.ByteBuffer;

/**
 * Does in software what a NIC's TSO does, for the frames the TAP hands over (virtio_net_hdr with gso_type TCPV4 or
 * TCPV6): cuts a TCP segment of up to 64 KB into segments of gso_size payload bytes, each with its own IP length,
 * IPv4 id and header checksum, TCP sequence number, flags (FIN and PSH only on the last, CWR only on the first) and
 * full TCP checksum, and writes each as one VXLAN datagram, back to back. All datagrams but the last have the same
 * length, which is what UDP GSO ({@code UDP_SEGMENT}) sends in one call. No Java library does TAP offloads or GSO,
 * hence this class. One instance per thread: the layout of the last call is kept in fields.
 */
final class TcpSegmenter {

    static final int FIN = 0x01;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int CWR = 0x80;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;

    private int count;
    private int stride;
    private int total;

    /** Datagrams written by the last {@link #segment}. */
    int count() {
        return count;
    }

    /** The length of every datagram but the last. */
    int stride() {
        return stride;
    }

    /** Bytes written in all. */
    int total() {
        return total;
    }

    /**
     * Segments the TCP frame of {@code frameLength} bytes at {@code frame} in {@code in} into VXLAN datagrams for
     * {@code vni} at offset 0 of {@code out}.
     *
     * @return false when it is not a TCP segment this can cut (IPv4, or IPv6 without extension headers) or does
     *     not fit in {@code out}: the caller drops it
     */
    boolean segment(ByteBuffer in, int frame, int frameLength, int mss, int vni, ByteBuffer out) {
        if (mss <= 0 || frameLength < Vxlan.ETHERNET_HEADER + 40) {
            return false;
        }
        int etherType = in.getShort(frame + 12) & 0xffff;
        int ip = frame + Vxlan.ETHERNET_HEADER;
        boolean v4 = etherType == ETHERTYPE_IPV4;
        int ipHeader;
        if (v4 && (in.get(ip) & 0xf0) == 0x40 && in.get(ip + 9) == Checksums.TCP) {
            ipHeader = (in.get(ip) & 0x0f) * 4;
        } else if (etherType == ETHERTYPE_IPV6 && in.get(ip + 6) == Checksums.TCP) {
            ipHeader = 40;
        } else {
            return false;
        }
        int tcp = ip + ipHeader;
        if (ipHeader < 20 || tcp + 20 > frame + frameLength) {
            return false;
        }
        int tcpHeader = ((in.get(tcp + 12) & 0xff) >>> 4) * 4;
        int headers = tcp + tcpHeader - frame;
        int payload = frameLength - headers;
        if (tcpHeader < 20 || payload < 0) {
            return false;
        }
        int segments = Math.max(1, (payload + mss - 1) / mss);
        int first = Vxlan.HEADER + headers + Math.min(mss, payload);
        if ((long) segments * first > out.capacity()) {
            return false;
        }
        int seq = in.getInt(tcp + 4);
        int id = v4 ? in.getShort(ip + 4) & 0xffff : 0;
        int flags = in.get(tcp + 13) & 0xff;
        int at = 0;
        for (int i = 0; i < segments; i++) {
            int chunk = Math.min(mss, payload - i * mss);
            Vxlan.writeHeader(out, at, vni);
            int f = at + Vxlan.HEADER;
            out.put(f, in, frame, headers);
            out.put(f + headers, in, frame + headers + i * mss, chunk);
            int oip = f + Vxlan.ETHERNET_HEADER;
            int otcp = oip + ipHeader;
            int tcpLength = tcpHeader + chunk;
            int segmentFlags = flags;
            if (i < segments - 1) {
                segmentFlags &= ~(FIN | PSH);
            }
            if (i > 0) {
                segmentFlags &= ~CWR;
            }
            out.putInt(otcp + 4, seq + i * mss);
            out.put(otcp + 13, (byte) segmentFlags);
            out.putShort(otcp + 16, (short) 0);
            long pseudo;
            if (v4) {
                out.putShort(oip + 2, (short) (ipHeader + tcpLength));
                out.putShort(oip + 4, (short) (id + i));
                Checksums.fixIpv4Header(out, oip);
                pseudo = Checksums.pseudoIpv4(out, oip, tcpLength);
            } else {
                out.putShort(oip + 4, (short) tcpLength);
                pseudo = Checksums.pseudoIpv6(out, oip, tcpLength);
            }
            out.putShort(otcp + 16, Checksums.finish(Checksums.sum(out, otcp, tcpLength, pseudo)));
            at += Vxlan.HEADER + headers + chunk;
        }
        count = segments;
        stride = first;
        total = at;
        return true;
    }

    /**
     * Completes a partial checksum (virtio_net_hdr flag NEEDS_CSUM): the field at csumStart + csumOffset holds
     * the pseudo-header's sum, the rest from csumStart on is summed here. A receiving kernel vxlan device
     * expects inner checksums to be complete.
     *
     * @return false when the offsets lie outside the frame
     */
    static boolean finishChecksum(ByteBuffer b, int frame, int frameLength, int csumStart, int csumOffset) {
        int start = frame + csumStart;
        int field = start + csumOffset;
        int end = frame + frameLength;
        if (field + 2 > end) {
            return false;
        }
        short checksum = Checksums.finish(Checksums.sum(b, start, end - start, 0));
        if (checksum == 0 && csumOffset == 6) {
            checksum = (short) 0xffff; // UDP: zero would mean "no checksum" (RFC 768)
        }
        b.putShort(field, checksum);
        return true;
    }
}
