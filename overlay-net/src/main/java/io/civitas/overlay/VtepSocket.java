package io.civitas.overlay;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One UDP socket of the userspace datapath, bound to a local VTEP address and port and shared by every overlay
 * that uses that endpoint: VXLAN demultiplexes by VNI. Its receive thread takes datagrams in batches (recvmmsg,
 * and UDP GRO's runs of equal datagrams), decapsulates each, and hands the inner frame to a {@link TcpCoalescer}
 * bound for the TAP of the datagram's VNI, if the sender is one the overlay accepts. Sending is thread-safe.
 */
final class VtepSocket implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VtepSocket.class.getName());

    /** Datagrams (or GRO runs of them) taken per receive call. */
    private static final int RECEIVE_SLOTS = 8;

    private final InetSocketAddress local;
    private final UdpSocket socket;
    private final Map<Integer, OverlayPort> overlays = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Memory> addresses = new ConcurrentHashMap<>();
    private final DatapathCounters counters;
    private final Future<?> receiver;

    private VtepSocket(InetSocketAddress local, UdpSocket socket, DatapathCounters counters, ExecutorService pool) {
        this.local = local;
        this.socket = socket;
        this.counters = counters;
        this.receiver = pool.submit(this::receiveLoop);
    }

    /** Binds {@code local} in {@code netns} (null: this namespace) and starts receiving on {@code pool}. */
    static VtepSocket open(InetSocketAddress local, String netns, DatapathCounters counters, ExecutorService pool) {
        UdpSocket socket = UdpSocket.bind(local, netns, "the VXLAN socket",
                " (a kernel vxlan device that is up listens on its port for every address: give userspace overlays"
                + " another port; or the address is not on this node)");
        return new VtepSocket(local, socket, counters, pool);
    }

    InetSocketAddress local() {
        return local;
    }

    void attach(OverlayPort port) {
        overlays.put(port.vni(), port);
    }

    void detach(int vni) {
        overlays.remove(vni);
    }

    boolean unused() {
        return overlays.isEmpty();
    }

    private Pointer address(InetSocketAddress to) {
        return addresses.computeIfAbsent(to, UdpSocket::sockaddr);
    }

    /** Sends the datagram between the buffer's position and limit; false if the socket is closed or send failed. */
    boolean send(ByteBuffer datagram, InetSocketAddress to) {
        int length = datagram.remaining();
        Memory m = new Memory(Math.max(1, length));
        m.getByteBuffer(0, length).put(datagram.duplicate());
        return socket.sendTo(m, length, address(to));
    }

    /** Sends one datagram of {@code length} bytes at {@code datagram}. */
    boolean send(Pointer datagram, int length, InetSocketAddress to) {
        return socket.sendTo(datagram, length, address(to));
    }

    /** Sends datagrams laid back to back, all {@code stride} bytes but the last; returns how many went out. */
    int sendSegments(UdpSocket.Sender sender, Pointer data, int total, int stride, InetSocketAddress to) {
        return socket.sendSegments(sender, data, total, stride, address(to));
    }

    private void receiveLoop() {
        try {
            receive();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "receiving on " + local + " stopped: " + e.getMessage(), e);
        }
    }

    private void receive() {
        UdpSocket.Receiver r = new UdpSocket.Receiver(RECEIVE_SLOTS);
        Memory joined = new Memory(TcpCoalescer.OUT_BYTES);
        TapSink sink = new TapSink(r.data, r.buffer, joined, counters);
        TcpCoalescer<TapDevice> coalescer = new TcpCoalescer<>(sink,
                joined.getByteBuffer(0, joined.size()).order(ByteOrder.BIG_ENDIAN));
        ByteBuffer b = r.buffer;
        while (true) {
            int n = socket.receive(r);
            if (n < 0) {
                return;
            }
            for (int i = 0; i < n; i++) {
                int start = i * UdpSocket.Receiver.SLOT;
                int end = start + r.length(i);
                int segment = r.segment(i);
                int from = r.sourceAddress(i);
                int port = r.sourcePort(i);
                for (int at = start; at < end; at += segment) {
                    int length = Math.min(segment, end - at);
                    int vni = Vxlan.vniOf(b, at, length);
                    OverlayPort overlay = vni < 0 ? null : overlays.get(vni);
                    if (overlay == null || !overlay.forwarding().accepts(from, port) || Keepalive.is(b, at, length)) {
                        counters.dropped.increment();
                    } else {
                        counters.received.increment();
                        coalescer.offer(b, at + Vxlan.HEADER, length - Vxlan.HEADER, overlay.tap());
                    }
                }
            }
            coalescer.flush(); // nothing waits for a next batch that may not come
        }
    }

    /** Writes the coalescer's frames to TAPs: joined ones with their header, others behind an empty header. */
    private static final class TapSink implements TcpCoalescer.Sink<TapDevice> {
        private final Memory received;
        private final ByteBuffer receivedBuffer;
        private final Memory joined;
        private final DatapathCounters counters;
        private final Memory iov = new Memory(4L * Native.POINTER_SIZE);
        private final Memory emptyHeader = new Memory(VnetHeader.SIZE);

        TapSink(Memory received, ByteBuffer receivedBuffer, Memory joined, DatapathCounters counters) {
            this.received = received;
            this.receivedBuffer = receivedBuffer;
            this.joined = joined;
            this.counters = counters;
            emptyHeader.clear();
            iov.setPointer(0, emptyHeader);
            UdpSocket.putSize(iov, Native.POINTER_SIZE, VnetHeader.SIZE);
        }

        @Override
        public void write(TapDevice tap, ByteBuffer b, int length) {
            if (!tap.write(joined, length)) {
                counters.dropped.increment();
            }
        }

        @Override
        public void writeRaw(TapDevice tap, ByteBuffer b, int offset, int length) {
            Pointer base = b == receivedBuffer ? received : Native.getDirectBufferPointer(b);
            iov.setPointer(2L * Native.POINTER_SIZE, base.share(offset));
            UdpSocket.putSize(iov, 3L * Native.POINTER_SIZE, length);
            if (!tap.writev(iov, 2, VnetHeader.SIZE + length)) {
                counters.dropped.increment();
            }
        }
    }

    @Override
    public void close() {
        socket.close(); // the receive thread sees it within the receive timeout
        try {
            receiver.get();
        } catch (Exception e) {
            // the loop ended: that is all we wait for
        }
        socket.release();
    }
}
