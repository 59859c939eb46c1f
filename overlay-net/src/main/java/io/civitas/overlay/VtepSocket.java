package io.civitas.overlay;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One UDP socket of the userspace datapath, bound to a local VTEP address and port and shared by every overlay
 * that uses that endpoint: VXLAN demultiplexes by VNI. Its receive thread decapsulates each datagram and writes the
 * inner frame to the TAP of the datagram's VNI, if the sender is one the overlay accepts. Sending is thread-safe
 * (the channel serialises concurrent sends).
 */
final class VtepSocket implements AutoCloseable {

    private final InetSocketAddress local;
    private final DatagramChannel channel;
    private final Map<Integer, OverlayPort> overlays = new ConcurrentHashMap<>();
    private final DatapathCounters counters;
    private final Future<?> receiver;

    private VtepSocket(InetSocketAddress local, DatagramChannel channel, DatapathCounters counters, ExecutorService pool) {
        this.local = local;
        this.channel = channel;
        this.counters = counters;
        this.receiver = pool.submit(this::receiveLoop);
    }

    /** Binds {@code local} in {@code netns} (null: this namespace) and starts receiving on {@code pool}. */
    static VtepSocket open(InetSocketAddress local, String netns, DatapathCounters counters, ExecutorService pool) {
        DatagramChannel channel = UdpSockets.bind(local, netns, "the VXLAN socket",
                " (a kernel vxlan device that is up listens on its port for every address: give userspace overlays"
                + " another port; or the address is not on this node)");
        return new VtepSocket(local, channel, counters, pool);
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

    /** Sends the datagram between the buffer's position and limit; false if the socket is closed or send failed. */
    boolean send(ByteBuffer datagram, InetSocketAddress to) {
        try {
            channel.send(datagram, to);
            return true;
        } catch (IOException e) {
            return false; // closed, or no route: a drop, like a kernel vxlan device's tx_errors
        }
    }

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Vxlan.MAX_DATAGRAM);
        Pointer frame = Native.getDirectBufferPointer(buffer).share(Vxlan.HEADER);
        UdpSockets.receive(channel, buffer, (packet, length, from) -> {
            int vni = Vxlan.vniOf(packet, length);
            OverlayPort port = vni < 0 ? null : overlays.get(vni);
            if (port == null || !port.forwarding().accepts(from) || Keepalive.is(packet, length)) {
                counters.dropped.increment();
            } else if (port.tap().write(frame, length - Vxlan.HEADER)) {
                counters.received.increment();
            } else {
                counters.dropped.increment();
            }
        });
    }

    @Override
    public void close() {
        try {
            channel.close(); // wakes the receive thread with ClosedChannelException
        } catch (IOException e) {
            // closing anyway
        }
        try {
            receiver.get();
        } catch (Exception e) {
            // the loop ended: that is all we wait for
        }
    }
}
