package io.civitas.overlay;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/** The relay's UDP socket (java.nio: it forwards datagram by datagram, so it needs no GSO/GRO; the datapath
 * uses {@link UdpSocket}): bound in a namespace, read by one loop. */
final class UdpSockets {

    /** Handles one received datagram: {@code length} bytes from offset 0 of {@code packet}. */
    interface Handler {
        void handle(ByteBuffer packet, int length, InetSocketAddress from);
    }

    static final int BUFFER_BYTES = 4 << 20;

    private UdpSockets() {}

    /**
     * An IPv4 UDP socket bound to {@code local}, made in {@code netns} (null: this namespace).
     *
     * @param what who binds, for the error ("the VXLAN socket", "relay")
     * @param hint added to a bind failure's message
     */
    static DatagramChannel bind(InetSocketAddress local, String netns, String what, String hint) {
        return Netns.call(netns, () -> {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
            // One thread drains the socket; a larger buffer absorbs bursts instead of dropping them (the kernel
            // caps it at net.core.rmem_max / wmem_max: 208 KiB by default, 4 MiB on these machines).
            c.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER_BYTES);
            c.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER_BYTES);
            try {
                c.bind(local);
            } catch (BindException e) {
                c.close();
                throw new DatapathException(what + " cannot bind " + local.getAddress().getHostAddress() + ":"
                        + local.getPort() + (netns == null ? "" : " in " + netns) + ": " + e.getMessage() + hint, e);
            }
            return c;
        });
    }

    /** Receives into {@code buffer} and hands each datagram to {@code handler} until the channel is closed. */
    static void receive(DatagramChannel channel, ByteBuffer buffer, Handler handler) {
        while (channel.isOpen()) {
            InetSocketAddress from;
            buffer.clear();
            try {
                from = (InetSocketAddress) channel.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue; // e.g. an ICMP error reported on the socket: the next datagram is unaffected
            }
            handler.handle(buffer, buffer.position(), from);
        }
    }
}
