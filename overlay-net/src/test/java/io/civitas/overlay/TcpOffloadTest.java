package io.civitas.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Property-style checks of the software TSO and GRO, over many random segments (seeded, so a failure repeats):
 * segmenting a 64 KB TCP frame gives valid headers and checksums, and coalescing the segments again gives back
 * the original byte stream in frames the kernel accepts.
 */
class TcpOffloadTest {

    private static final int CASES = 400;
    private static final int VNI = 4242;

    /** A frame as the TAP gives it: one TCP segment of any length, checksum fields left partial (garbage here). */
    private record GsoFrame(ByteBuffer buffer, int length, byte[] payload, int seq, int mss, boolean v4, int flags) {}

    private static GsoFrame randomFrame(Random r, boolean v4) {
        int mss = 500 + r.nextInt(961);
        int options = r.nextBoolean() ? 12 : 4 * r.nextInt(3);
        int ipHeader = v4 ? 20 : 40;
        int max = 65535 - 20 - options - (v4 ? 20 : 0);
        int payloadLength = r.nextInt(4) == 0 ? r.nextInt(3 * mss) : r.nextInt(max);
        byte[] payload = new byte[payloadLength];
        r.nextBytes(payload);
        int tcpHeader = 20 + options;
        int length = 14 + ipHeader + tcpHeader + payloadLength;
        ByteBuffer b = ByteBuffer.allocateDirect(length).order(ByteOrder.BIG_ENDIAN);
        byte[] macs = new byte[12];
        r.nextBytes(macs);
        b.put(0, macs);
        b.putShort(12, (short) (v4 ? 0x0800 : 0x86DD));
        int ip = 14;
        if (v4) {
            b.put(ip, (byte) 0x45);
            b.putShort(ip + 2, (short) (20 + tcpHeader + payloadLength));
            b.putShort(ip + 4, (short) r.nextInt());
            b.putShort(ip + 6, (short) 0x4000);
            b.put(ip + 8, (byte) 64);
            b.put(ip + 9, (byte) 6);
            b.putShort(ip + 10, (short) r.nextInt());
            b.putInt(ip + 12, r.nextInt());
            b.putInt(ip + 16, r.nextInt());
        } else {
            b.putInt(ip, 0x60000000);
            b.putShort(ip + 4, (short) 0);
            b.put(ip + 6, (byte) 6);
            b.put(ip + 7, (byte) 64);
            byte[] addresses = new byte[32];
            r.nextBytes(addresses);
            b.put(ip + 8, addresses);
        }
        int tcp = ip + ipHeader;
        int seq = r.nextInt();
        int flags = TcpSegmenter.ACK | (r.nextBoolean() ? TcpSegmenter.PSH : 0);
        b.putInt(tcp, r.nextInt());
        b.putInt(tcp + 4, seq);
        b.putInt(tcp + 8, r.nextInt());
        b.put(tcp + 12, (byte) ((tcpHeader / 4) << 4));
        b.put(tcp + 13, (byte) flags);
        b.putShort(tcp + 14, (short) r.nextInt());
        b.putShort(tcp + 16, (short) r.nextInt());
        for (int i = 0; i < options; i++) {
            b.put(tcp + 20 + i, (byte) (i < 2 ? 1 : r.nextInt())); // NOPs, then anything
        }
        b.put(tcp + tcpHeader, payload);
        return new GsoFrame(b, length, payload, seq, mss, v4, flags);
    }

    private static List<ByteBuffer> segment(GsoFrame f) {
        TcpSegmenter segmenter = new TcpSegmenter();
        ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024).order(ByteOrder.BIG_ENDIAN);
        assertThat(segmenter.segment(f.buffer(), 0, f.length(), f.mss(), VNI, out)).isTrue();
        List<ByteBuffer> datagrams = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < segmenter.count(); i++) {
            int len = Math.min(segmenter.stride(), segmenter.total() - at);
            ByteBuffer d = ByteBuffer.allocateDirect(len).order(ByteOrder.BIG_ENDIAN);
            d.put(0, out, at, len);
            datagrams.add(d);
            at += len;
        }
        assertThat(at).isEqualTo(segmenter.total());
        return datagrams;
    }

    private static int tcpOffset(ByteBuffer frame, int at) {
        return at + 14 + ((frame.getShort(at + 12) & 0xffff) == 0x0800 ? (frame.get(at + 14) & 0x0f) * 4 : 40);
    }

    private static boolean tcpChecksumValid(ByteBuffer b, int frame, int frameLength) {
        int ip = frame + 14;
        int tcp = tcpOffset(b, frame);
        int tcpLength = frame + frameLength - tcp;
        long pseudo = (b.getShort(frame + 12) & 0xffff) == 0x0800
                ? Checksums.pseudoIpv4(b, ip, tcpLength) : Checksums.pseudoIpv6(b, ip, tcpLength);
        return Checksums.valid(Checksums.sum(b, tcp, tcpLength, pseudo));
    }

    @Test
    void segmentsHaveValidHeadersAndChecksumsAndCarryTheStream() {
        Random r = new Random(1);
        for (int c = 0; c < CASES; c++) {
            GsoFrame f = randomFrame(r, c % 2 == 0);
            List<ByteBuffer> datagrams = segment(f);
            assertThat(datagrams).hasSize(Math.max(1, (f.payload().length + f.mss() - 1) / f.mss()));
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = 0; i < datagrams.size(); i++) {
                ByteBuffer d = datagrams.get(i);
                assertThat(Vxlan.vniOf(d, d.capacity())).isEqualTo(VNI);
                int frame = Vxlan.HEADER;
                int frameLength = d.capacity() - Vxlan.HEADER;
                assertThat(frameLength).isLessThanOrEqualTo(14 + (f.v4() ? 20 : 40) + 60 + f.mss());
                int ip = frame + 14;
                int tcp = tcpOffset(d, frame);
                if (f.v4()) {
                    assertThat(Checksums.valid(Checksums.sum(d, ip, 20, 0))).as("IPv4 header checksum").isTrue();
                    assertThat(d.getShort(ip + 2) & 0xffff).isEqualTo(frameLength - 14);
                    assertThat(d.getShort(ip + 4)).isEqualTo((short) (f.buffer().getShort(18) + i));
                } else {
                    assertThat(d.getShort(ip + 4) & 0xffff).isEqualTo(frameLength - 54);
                }
                assertThat(tcpChecksumValid(d, frame, frameLength)).as("TCP checksum of segment " + i).isTrue();
                assertThat(d.getInt(tcp + 4)).isEqualTo(f.seq() + i * f.mss());
                boolean last = i == datagrams.size() - 1;
                assertThat(d.get(tcp + 13) & 0xff).isEqualTo(last ? f.flags() : f.flags() & ~TcpSegmenter.PSH);
                int thl = ((d.get(tcp + 12) & 0xff) >>> 4) * 4;
                byte[] chunk = new byte[frame + frameLength - tcp - thl];
                d.get(tcp + thl, chunk);
                stream.writeBytes(chunk);
            }
            assertThat(stream.toByteArray()).isEqualTo(f.payload());
        }
    }

    /** Collects what the coalescer writes, as a TAP would get it. */
    private static final class Collector implements TcpCoalescer.Sink<String> {
        final List<ByteBuffer> withHeader = new ArrayList<>();
        final List<ByteBuffer> raw = new ArrayList<>();

        @Override
        public void write(String target, ByteBuffer b, int length) {
            ByteBuffer copy = ByteBuffer.allocateDirect(length).order(ByteOrder.BIG_ENDIAN);
            copy.put(0, b, 0, length);
            withHeader.add(copy);
        }

        @Override
        public void writeRaw(String target, ByteBuffer b, int offset, int length) {
            ByteBuffer copy = ByteBuffer.allocateDirect(length).order(ByteOrder.BIG_ENDIAN);
            copy.put(0, b, offset, length);
            raw.add(copy);
        }
    }

    /** Decapsulates the datagrams into a coalescer, as the receive thread does, and flushes at the end. */
    private static Collector coalesce(List<ByteBuffer> datagrams) {
        Collector tap = new Collector();
        TcpCoalescer<String> coalescer = new TcpCoalescer<>(tap, ByteBuffer.allocateDirect(VnetHeader.SIZE + 14 + 65535));
        for (ByteBuffer d : datagrams) {
            coalescer.offer(d, Vxlan.HEADER, d.capacity() - Vxlan.HEADER, "tap");
        }
        coalescer.flush();
        return tap;
    }

    /**
     * What the kernel makes of a frame written with a virtio_net_hdr: completes a partial checksum, checks the
     * headers, and returns the TCP payload by sequence number (its segmentation at gso_size is checked too).
     */
    private static void receive(ByteBuffer withHeader, TreeMap<Integer, byte[]> bySeq) {
        int frame = VnetHeader.SIZE;
        int frameLength = withHeader.capacity() - frame;
        int ip = frame + 14;
        assertThat(Checksums.valid(Checksums.sum(withHeader, ip, 20, 0))).as("IPv4 header checksum").isTrue();
        assertThat(withHeader.getShort(ip + 2) & 0xffff).isEqualTo(frameLength - 14);
        int tcp = ip + 20;
        int thl = ((withHeader.get(tcp + 12) & 0xff) >>> 4) * 4;
        int flags = VnetHeader.flags(withHeader, 0);
        if ((flags & VnetHeader.F_NEEDS_CSUM) != 0) {
            assertThat(VnetHeader.gsoType(withHeader, 0)).isEqualTo(VnetHeader.GSO_TCPV4);
            assertThat(VnetHeader.csumStart(withHeader, 0)).isEqualTo(34);
            assertThat(VnetHeader.csumOffset(withHeader, 0)).isEqualTo(16);
            assertThat(TcpSegmenter.finishChecksum(withHeader, frame, frameLength, 34, 16)).isTrue();
            assertThat(VnetHeader.gsoSize(withHeader, 0)).isPositive();
        } else {
            assertThat(flags).isEqualTo(VnetHeader.F_DATA_VALID);
        }
        assertThat(tcpChecksumValid(withHeader, frame, frameLength)).isTrue();
        byte[] payload = new byte[frame + frameLength - tcp - thl];
        withHeader.get(tcp + thl, payload);
        assertThat(bySeq.put(withHeader.getInt(tcp + 4), payload)).as("a segment delivered twice").isNull();
    }

    private static byte[] reassemble(TreeMap<Integer, byte[]> bySeq, int firstSeq) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int next = firstSeq;
        for (int i = 0; i < bySeq.size(); i++) {
            byte[] chunk = bySeq.get(next);
            assertThat(chunk).as("the segment at sequence " + next).isNotNull();
            stream.writeBytes(chunk);
            next += chunk.length;
        }
        return stream.toByteArray();
    }

    @Test
    void coalescingSegmentsGivesBackTheStreamInFewLargeFrames() {
        Random r = new Random(2);
        for (int c = 0; c < CASES; c++) {
            GsoFrame f = randomFrame(r, true);
            if (f.payload().length == 0) {
                continue;
            }
            List<ByteBuffer> datagrams = segment(f);
            boolean shuffled = c % 3 == 0 && datagrams.size() > 2;
            if (shuffled) {
                int i = r.nextInt(datagrams.size() - 1);
                ByteBuffer d = datagrams.remove(i);
                datagrams.add(i + 1, d);
            }
            Collector tap = coalesce(datagrams);
            assertThat(tap.raw).isEmpty();
            TreeMap<Integer, byte[]> bySeq = new TreeMap<>(Integer::compareUnsigned);
            tap.withHeader.forEach(w -> receive(w, bySeq));
            assertThat(reassemble(bySeq, f.seq())).isEqualTo(f.payload());
            int perFrame = (65535 - 60) / f.mss();
            int expected = (datagrams.size() + Math.min(perFrame, TcpCoalescer.MAX_SEGMENTS) - 1)
                    / Math.min(perFrame, TcpCoalescer.MAX_SEGMENTS);
            if (!shuffled) {
                assertThat(tap.withHeader.size()).as("frames for " + datagrams.size() + " segments")
                        .isLessThanOrEqualTo(expected + 1);
            }
        }
    }

    @Test
    void aCorruptSegmentIsNotJoinedAndTheRestStillIs() {
        Random r = new Random(3);
        for (int c = 0; c < 50; c++) {
            GsoFrame f = randomFrame(r, true);
            List<ByteBuffer> datagrams = segment(f);
            if (datagrams.size() < 3) {
                continue;
            }
            int bad = 1 + r.nextInt(datagrams.size() - 2);
            ByteBuffer d = datagrams.get(bad);
            int at = d.capacity() - 1;
            d.put(at, (byte) (d.get(at) ^ 0x5a));
            Collector tap = coalesce(datagrams);
            assertThat(tap.raw).hasSize(1);
            assertThat(tcpChecksumValid(tap.raw.get(0), 0, tap.raw.get(0).capacity())).isFalse();
            TreeMap<Integer, byte[]> bySeq = new TreeMap<>(Integer::compareUnsigned);
            tap.withHeader.forEach(w -> receive(w, bySeq));
            int total = bySeq.values().stream().mapToInt(x -> x.length).sum();
            assertThat(total).isEqualTo(f.payload().length - (datagrams.get(bad).capacity() - Vxlan.HEADER
                    - 14 - 20 - (((datagrams.get(bad).get(Vxlan.HEADER + 46) & 0xff) >>> 4) * 4)));
        }
    }

    @Test
    void nonTcpFramesPassThroughUnchanged() {
        Collector tap = new Collector();
        TcpCoalescer<String> coalescer = new TcpCoalescer<>(tap, ByteBuffer.allocateDirect(VnetHeader.SIZE + 14 + 65535));
        ByteBuffer arp = ByteBuffer.allocateDirect(42).order(ByteOrder.BIG_ENDIAN);
        arp.putShort(12, (short) 0x0806);
        coalescer.offer(arp, 0, 42, "tap");
        coalescer.flush();
        assertThat(tap.withHeader).isEmpty();
        assertThat(tap.raw).hasSize(1);
        assertThat(tap.raw.get(0)).isEqualTo(arp.duplicate().clear());
    }

    @Test
    void aPartialChecksumIsCompleted() {
        Random r = new Random(4);
        for (int c = 0; c < CASES; c++) {
            GsoFrame f = randomFrame(r, c % 2 == 0);
            ByteBuffer b = f.buffer();
            int ip = 14;
            int tcp = tcpOffset(b, 0);
            int tcpLength = f.length() - tcp;
            if (f.v4()) {
                b.putShort(ip + 2, (short) (f.length() - 14));
            }
            long pseudo = f.v4() ? Checksums.pseudoIpv4(b, ip, tcpLength) : Checksums.pseudoIpv6(b, ip, tcpLength);
            b.putShort(tcp + 16, (short) Checksums.fold(pseudo)); // as the kernel leaves it
            assertThat(TcpSegmenter.finishChecksum(b, 0, f.length(), tcp, 16)).isTrue();
            assertThat(tcpChecksumValid(b, 0, f.length())).isTrue();
        }
        assertThat(TcpSegmenter.finishChecksum(ByteBuffer.allocate(60), 0, 60, 50, 16)).isFalse();
    }

    @Test
    void segmentRefusesWhatIsNotTcp() {
        ByteBuffer udp = ByteBuffer.allocateDirect(100).order(ByteOrder.BIG_ENDIAN);
        udp.putShort(12, (short) 0x0800);
        udp.put(14, (byte) 0x45);
        udp.put(23, (byte) 17);
        assertThat(new TcpSegmenter().segment(udp, 0, 100, 1000, VNI, ByteBuffer.allocateDirect(65536))).isFalse();
    }
}
