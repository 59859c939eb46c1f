package io.civitas.overlay;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One overlay in the userspace datapath: its TAP device, its forwarding table and the socket it sends through.
 * The reader thread reads frames from the TAP, prefixes the VXLAN header and sends each to the VTEP(s) its
 * destination MAC maps to. Table and socket are swapped in place by a re-apply.
 */
final class OverlayPort {

    private static final System.Logger LOG = System.getLogger(OverlayPort.class.getName());

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
        Memory memory = new Memory(Vxlan.MAX_DATAGRAM);
        // JNA hands out native (little-endian) order; the wire is big-endian.
        ByteBuffer packet = memory.getByteBuffer(0, Vxlan.MAX_DATAGRAM).order(ByteOrder.BIG_ENDIAN);
        int capacity = Vxlan.MAX_DATAGRAM - Vxlan.HEADER;
        Vxlan.writeHeader(packet, vni);
        Pointer frame = memory.share(Vxlan.HEADER);
        while (true) {
            int n = tap.read(frame, capacity);
            if (n < 0) {
                return;
            }
            if (n < Vxlan.ETHERNET_HEADER) {
                continue;
            }
            Forwarding table = forwarding;
            VtepSocket through = socket;
            for (InetSocketAddress to : table.targets(Vxlan.macAt(packet, Vxlan.HEADER))) {
                packet.limit(Vxlan.HEADER + n).position(0);
                if (through.send(packet, to)) {
                    counters.sent.increment();
                } else {
                    counters.dropped.increment();
                }
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
