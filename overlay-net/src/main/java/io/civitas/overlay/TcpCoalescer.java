package io.civitas.overlay;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The receive half of the TAP offloads, GRO in software: consecutive in-order TCP/IPv4 segments of one flow,
 * decapsulated from VXLAN, are joined into one frame of up to 64 KB that goes to the TAP with a virtio_net_hdr
 * (gso_type TCPV4, gso_size = the first segment's payload, partial checksum), so the kernel's stack takes one
 * large segment instead of forty small ones.
 *
 * <p>A segment joins only if Linux's own GRO would join it: IPv4 without options or fragments, flags ACK (PSH
 * allowed, and it ends the batch), same addresses, ports, ack, window, TCP options, TOS, TTL and DF; sequence
 * number right after the previous segment; payload no longer than the first's (a shorter one ends the batch).
 * Each segment's TCP checksum is checked before it joins, since the joined frame's checksum is left for the
 * kernel to compute and would otherwise hide a corrupt segment. Everything else (IPv6, UDP, ARP, SYN/FIN/RST,
 * bad checksums) is written through unchanged; a segment of the pending flow that cannot join flushes the
 * batch first, so a flow's order is kept. One batch is pending at a time: interleaved flows join less. The
 * caller calls {@link #flush} whenever its receive batch is done, so nothing waits. Not thread-safe: one per
 * receive thread.
 *
 * @param <T> where frames are written (a TAP device)
 */
final class TcpCoalescer<T> {

    /** Where frames go. */
    interface Sink<T> {
        /** {@code length} bytes at offset 0 of {@code b}: a virtio_net_hdr and a frame. */
        void write(T target, ByteBuffer b, int length);

        /** A frame of {@code length} bytes at {@code offset} without a header (the sink adds an empty one). */
        void writeRaw(T target, ByteBuffer b, int offset, int length);
    }

    static final int MAX_SEGMENTS = 64;
    private static final int IP_MAX = 0xffff;
    private static final int IP = Vxlan.ETHERNET_HEADER;
    private static final int TCP = IP + 20;
    /** The least capacity of the output buffer: a virtio_net_hdr and a frame of a 64 KB IP packet. */
    static final int OUT_BYTES = VnetHeader.SIZE + IP + IP_MAX;

    private final Sink<T> sink;
    private final ByteBuffer out;
    private T pending;
    private int count;
    private int mss;
    private int frameLength;
    private int tcpHeader;
    private int nextSeq;
    private int src;
    private int dst;
    private int ports;

    TcpCoalescer(Sink<T> sink, ByteBuffer out) {
        if (out.capacity() < OUT_BYTES) {
            throw new IllegalArgumentException("out: room for a 64 KB frame needed");
        }
        this.sink = sink;
        this.out = out.order(ByteOrder.BIG_ENDIAN);
    }

    /** Takes the frame of {@code length} bytes at {@code frame} in {@code b} (big-endian), bound for {@code target}. */
    void offer(ByteBuffer b, int frame, int length, T target) {
        int ip = frame + IP;
        if (length < TCP + 20 || (b.getShort(frame + 12) & 0xffff) != TcpSegmenter.ETHERTYPE_IPV4
                || b.get(ip) != 0x45 || b.get(ip + 9) != Checksums.TCP) {
            sink.writeRaw(target, b, frame, length); // not TCP/IPv4 without options: no flow order at stake
            return;
        }
        int tcp = ip + 20;
        int ipLength = b.getShort(ip + 2) & 0xffff;
        int thl = ((b.get(tcp + 12) & 0xff) >>> 4) * 4;
        int payload = ipLength - 20 - thl;
        int flags = b.get(tcp + 13) & 0xff;
        boolean sameFlow = pending == target && b.getInt(ip + 12) == src && b.getInt(ip + 16) == dst
                && b.getInt(tcp) == ports;
        boolean joinable = ipLength <= length - IP && thl >= 20 && payload > 0
                && (b.getShort(ip + 6) & 0xbfff) == 0 // no MF, no offset (DF may be set)
                && (flags & ~TcpSegmenter.PSH) == TcpSegmenter.ACK
                && Checksums.valid(Checksums.sum(b, tcp, ipLength - 20, Checksums.pseudoIpv4(b, ip, ipLength - 20)));
        if (!joinable) {
            if (sameFlow) {
                flush();
            }
            sink.writeRaw(target, b, frame, length);
            return;
        }
        if (sameFlow && follows(b, ip, tcp, thl, payload)) {
            out.put(VnetHeader.SIZE + frameLength, b, tcp + thl, payload);
            frameLength += payload;
            nextSeq += payload;
            count++;
            if ((flags & TcpSegmenter.PSH) != 0) {
                int at = VnetHeader.SIZE + TCP + 13;
                out.put(at, (byte) (out.get(at) | TcpSegmenter.PSH));
            }
            if (payload < mss || (flags & TcpSegmenter.PSH) != 0 || count == MAX_SEGMENTS) {
                flush();
            }
            return;
        }
        flush();
        frameLength = IP + ipLength;
        out.put(VnetHeader.SIZE, b, frame, frameLength);
        pending = target;
        count = 1;
        mss = payload;
        tcpHeader = thl;
        nextSeq = b.getInt(tcp + 4) + payload;
        src = b.getInt(ip + 12);
        dst = b.getInt(ip + 16);
        ports = b.getInt(tcp);
        if ((flags & TcpSegmenter.PSH) != 0) {
            flush();
        }
    }

    /** Whether the segment continues the pending batch, as Linux's tcp_gro_receive decides. */
    private boolean follows(ByteBuffer b, int ip, int tcp, int thl, int payload) {
        int pip = VnetHeader.SIZE + IP;
        int ptcp = VnetHeader.SIZE + TCP;
        if (thl != tcpHeader || payload > mss || b.getInt(tcp + 4) != nextSeq
                || frameLength + payload > Vxlan.ETHERNET_HEADER + IP_MAX
                || b.getInt(tcp + 8) != out.getInt(ptcp + 8) // ack
                || (b.getInt(tcp + 12) & ~(TcpSegmenter.PSH << 16)) != (out.getInt(ptcp + 12) & ~(TcpSegmenter.PSH << 16))
                || b.getShort(ip) != out.getShort(pip) // version, IHL, TOS
                || b.getShort(ip + 6) != out.getShort(pip + 6) // DF
                || b.get(ip + 8) != out.get(pip + 8)) { // TTL
            return false;
        }
        for (int i = 20; i < thl; i += 4) { // options, timestamps included, as Linux GRO compares them
            if (b.getInt(tcp + i) != out.getInt(ptcp + i)) {
                return false;
            }
        }
        return true;
    }

    /** Writes the pending batch, if any. */
    void flush() {
        if (pending == null) {
            return;
        }
        T target = pending;
        pending = null;
        if (count == 1) {
            // Checked above and unchanged: spare the kernel a second look.
            VnetHeader.write(out, 0, VnetHeader.F_DATA_VALID, VnetHeader.GSO_NONE, 0, 0, 0, 0);
        } else {
            int ip = VnetHeader.SIZE + IP;
            int tcp = VnetHeader.SIZE + TCP;
            int tcpLength = frameLength - TCP;
            out.putShort(ip + 2, (short) (frameLength - IP));
            Checksums.fixIpv4Header(out, ip);
            // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, the kernel sums the rest.
            out.putShort(tcp + 16, (short) Checksums.fold(Checksums.pseudoIpv4(out, ip, tcpLength)));
            VnetHeader.write(out, 0, VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_TCPV4, TCP + tcpHeader, mss, TCP, 16);
        }
        sink.write(target, out, VnetHeader.SIZE + frameLength);
    }
}
