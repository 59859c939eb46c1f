package io.civitas.overlay;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One overlay in the userspace datapath: its TAP device, its forwarding table and the socket it sends through.
 * The reader thread reads frames from the TAP, prefixes the VXLAN header and sends each to the VTEP(s) its
 * destination MAC maps to; a TCP segment of up to 64 KB (TSO through the TAP) is first cut to the overlay's MSS
 * ({@link TcpSegmenter}) and sent with UDP GSO, a frame with a partial checksum gets it completed, because a
 * kernel vxlan peer expects complete inner checksums. Table and socket are swapped in place by a re-apply.
 */
final class OverlayPort {

    private static final System.Logger LOG = System.getLogger(OverlayPort.class.getName());
    /** Room for the VXLAN datagrams of one 64 KB TCP segment cut at the smallest MSS an overlay MTU allows. */
    private static final int SEGMENTS_BYTES = 256 * 1024;

    private final int vni;
    private final TapDevice tap;
    private final DatapathCounters counters;
    private volatile Forwarding forwarding;
    private volatile VtepSocket socket;
    private volatile long mac;
    private Future<?> reader;

    OverlayPort(int vni, TapDevice tap, DatapathCounters counters) {
        this.vni = vni;
        this.tap = tap;
        this.counters = counters;
    }

    int vni() {
        return vni;
    }

    TapDevice tap() {
        return tap;
    }

    Forwarding forwarding() {
        return forwarding;
    }

    VtepSocket socket() {
        return socket;
    }

    void update(Forwarding table, VtepSocket through, long ownMac) {
        this.forwarding = table;
        this.socket = through;
        this.mac = ownMac;
    }

    void start(ExecutorService pool) {
        reader = pool.submit(this::readLoop);
    }

    /** False once the reader stopped: the TAP was closed, or deleted by someone else (then apply makes it again). */
    boolean alive() {
        return reader != null && !reader.isDone();
    }

    /** Sends one keepalive to the relay, if this overlay has one. */
    void keepalive() {
        InetSocketAddress relay = forwarding.relay();
        if (relay != null && socket.send(Keepalive.packet(vni, mac), relay)) {
            counters.keepalives.increment();
        }
    }

    private void readLoop() {
        try {
            forwardFromTap();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "forwarding from " + tap.name() + " stopped: " + e.getMessage(), e);
        }
    }

    private void forwardFromTap() {
        // The TAP's virtio_net_hdr (10 bytes) lands at 0 and the frame at 10; a frame sent whole gets its VXLAN
        // header (8 bytes) written over the end of the virtio one, so it goes out without a copy.
        Memory in = new Memory(VnetHeader.SIZE + Vxlan.MAX_DATAGRAM + Vxlan.ETHERNET_HEADER);
        ByteBuffer input = in.getByteBuffer(0, in.size()).order(ByteOrder.BIG_ENDIAN); // the wire is big-endian
        int datagramAt = VnetHeader.SIZE - Vxlan.HEADER;
        Pointer datagram = in.share(datagramAt);
        Memory segments = new Memory(SEGMENTS_BYTES);
        ByteBuffer output = segments.getByteBuffer(0, segments.size()).order(ByteOrder.BIG_ENDIAN);
        TcpSegmenter segmenter = new TcpSegmenter();
        UdpSocket.Sender sender = new UdpSocket.Sender();
        while (true) {
            int n = tap.read(in, (int) in.size());
            if (n < 0) {
                return;
            }
            int frameLength = n - VnetHeader.SIZE;
            if (frameLength < Vxlan.ETHERNET_HEADER) {
                continue;
            }
            Forwarding table = forwarding;
            VtepSocket through = socket;
            List<InetSocketAddress> targets = table.targets(Vxlan.macAt(input, VnetHeader.SIZE));
            int gsoType = VnetHeader.gsoType(input, 0) & ~VnetHeader.GSO_ECN;
            if (gsoType == VnetHeader.GSO_NONE) {
                if ((VnetHeader.flags(input, 0) & VnetHeader.F_NEEDS_CSUM) != 0 && !TcpSegmenter.finishChecksum(
                        input, VnetHeader.SIZE, frameLength, VnetHeader.csumStart(input, 0),
                        VnetHeader.csumOffset(input, 0))) {
                    counters.dropped.increment();
                    continue;
                }
                Vxlan.writeHeader(input, datagramAt, vni);
                for (InetSocketAddress to : targets) {
                    if (through.send(datagram, Vxlan.HEADER + frameLength, to)) {
                        counters.sent.increment();
                    } else {
                        counters.dropped.increment();
                    }
                }
            } else if ((gsoType == VnetHeader.GSO_TCPV4 || gsoType == VnetHeader.GSO_TCPV6) && segmenter.segment(
                    input, VnetHeader.SIZE, frameLength, VnetHeader.gsoSize(input, 0), vni, output)) {
                for (InetSocketAddress to : targets) {
                    int sent = through.sendSegments(sender, segments, segmenter.total(), segmenter.stride(), to);
                    counters.sent.add(sent);
                    counters.dropped.add(segmenter.count() - sent);
                }
            } else {
                counters.dropped.increment(); // a GSO type we did not ask for (TUNSETOFFLOAD names TCP only)
            }
        }
    }

    /** Stops the reader and closes the TAP (the kernel deletes the device). */
    void close() {
        tap.close();
        if (reader != null) {
            try {
                reader.get();
            } catch (Exception e) {
                // the reader ended: that is all we wait for
            }
        }
        tap.release();
    }
}
