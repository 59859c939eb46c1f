package io.civitas.overlay;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An IPv4 UDP socket made through libc, for what java.nio's DatagramChannel cannot do: UDP GSO on send (one
 * sendmsg with {@code UDP_SEGMENT} carries up to 64 datagrams of one size), UDP GRO and recvmmsg on receive (one
 * call returns many datagrams), and 16 MB buffers past net.core.rmem_max ({@code SO_RCVBUFFORCE}, as root). Where
 * the kernel refuses GSO (before Linux 6.10, a device without checksum offload: EIO) it falls back to sendmmsg
 * for good.
 * Struct layouts follow the platform's pointer size (LP64, or ILP32 on 32-bit boards).
 *
 * <p>Receives wait at most {@link #RECEIVE_TIMEOUT_MILLIS} (SO_RCVTIMEO), because closing a descriptor does not
 * wake a thread blocked on it; {@link #release} closes the descriptor only after the receiver stopped and while
 * no send is in flight, so a reused descriptor number is never written to.
 */
final class UdpSocket {

    private static final System.Logger LOG = System.getLogger(UdpSocket.class.getName());

    static final int BUFFER_BYTES = 16 << 20;
    static final int RECEIVE_TIMEOUT_MILLIS = 200;
    /** Datagrams per GSO send: Linux before 6.x takes at most 64 (UDP_MAX_SEGMENTS), and 64 KB in all. */
    static final int MAX_SEGMENTS = 64;
    static final int MAX_GSO_BYTES = 65535 - 20 - 8;
    static final int SOCKADDR_IN = 16;

    private static final int P = Native.POINTER_SIZE;
    // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags, each in a pointer-sized slot
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = P;
    private static final int MSG_IOV = 2 * P;
    private static final int MSG_IOVLEN = 3 * P;
    private static final int MSG_CONTROL = 4 * P;
    private static final int MSG_CONTROLLEN = 5 * P;
    private static final int MSG_FLAGS = 6 * P;
    private static final int MSGHDR = 7 * P;
    /** struct mmsghdr: a msghdr and an unsigned msg_len, padded to the pointer size. */
    private static final int MMSGHDR = 8 * P;
    private static final int IOVEC = 2 * P;
    /** struct cmsghdr: size_t len, int level, int type. */
    private static final int CMSG_HEADER = P + 8;
    private static final int CMSG_SPACE_INT = CMSG_HEADER + Math.max(P, 4);

    private final int fd;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    /** Whether new sockets try UDP GSO at all; tests turn it off to run the sendmmsg path on a kernel that has GSO. */
    static volatile boolean tryGso = true;

    private volatile boolean gso = tryGso;
    private boolean released;

    private UdpSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Binds {@code local} in {@code netns} (null: this namespace).
     *
     * @param what who binds, for the error
     * @param hint added to a bind failure's message
     */
    static UdpSocket bind(InetSocketAddress local, String netns, String what, String hint) {
        return Netns.call(netns, () -> {
            int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            try {
                // One thread drains the socket: a large buffer absorbs the bursts of a 64 KB TSO segment.
                buffer(fd, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF);
                buffer(fd, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF);
                try {
                    setInt(fd, LibC.SOL_UDP, LibC.UDP_GRO, 1);
                } catch (LastErrorException e) {
                    LOG.log(System.Logger.Level.INFO, "no UDP GRO on this kernel: " + LibC.describe(e));
                }
                Memory timeout = new Memory(2L * P);
                timeout.clear();
                putSize(timeout, P, RECEIVE_TIMEOUT_MILLIS * 1000L);
                LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeout, 2 * P);
                try {
                    LibC.bind(fd, sockaddr(local), SOCKADDR_IN);
                } catch (LastErrorException e) {
                    throw new DatapathException(what + " cannot bind " + local.getAddress().getHostAddress() + ":"
                            + local.getPort() + (netns == null ? "" : " in " + netns) + ": " + LibC.describe(e)
                            + (e.getErrorCode() == LibC.EADDRINUSE ? " (address already in use)" : "")
                            + hint, e);
                }
            } catch (RuntimeException e) {
                LibC.close(fd);
                throw e;
            }
            return new UdpSocket(fd);
        });
    }

    private static void buffer(int fd, int forced, int plain) {
        try {
            setInt(fd, LibC.SOL_SOCKET, forced, BUFFER_BYTES);
        } catch (LastErrorException e) {
            setInt(fd, LibC.SOL_SOCKET, plain, BUFFER_BYTES); // not root: capped at net.core.[rw]mem_max
        }
    }

    private static void setInt(int fd, int level, int name, int value) {
        Memory m = new Memory(4);
        m.setInt(0, value);
        LibC.setsockopt(fd, level, name, m, 4);
    }

    /** A struct sockaddr_in for {@code address}, to send to. */
    static Memory sockaddr(InetSocketAddress address) {
        Memory m = new Memory(SOCKADDR_IN);
        m.clear();
        m.setShort(0, (short) LibC.AF_INET); // sa_family: host order
        m.setByte(2, (byte) (address.getPort() >>> 8)); // port and address: network order
        m.setByte(3, (byte) address.getPort());
        m.write(4, address.getAddress().getAddress(), 0, 4);
        return m;
    }

    /** Writes a size_t (or a pointer-sized long) in the platform's width. */
    static void putSize(Memory m, long offset, long value) {
        if (P == 8) {
            m.setLong(offset, value);
        } else {
            m.setInt(offset, (int) value);
        }
    }

    private static long getSize(Memory m, long offset) {
        return P == 8 ? m.getLong(offset) : m.getInt(offset) & 0xffffffffL;
    }

    /** One datagram; false if the socket is closed or the kernel refused it (a drop). */
    boolean sendTo(Pointer datagram, int length, Pointer to) {
        lock.readLock().lock();
        try {
            return !closed && LibC.sendto(fd, datagram, length, 0, to, SOCKADDR_IN) == length;
        } catch (LastErrorException e) {
            return false; // no route, buffer full: a drop, like a kernel vxlan device's tx_errors
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The structures one sending thread reuses. What never changes (lengths, the links from message to iovec and
     * control, the cmsg's level and type) is written once here; each call fills in data, sizes and destination.
     */
    static final class Sender {
        private final Memory message = zeroed(MSGHDR);
        private final Memory iov = zeroed(IOVEC);
        private final Memory control = zeroed(CMSG_SPACE_INT);
        private final Memory messages = zeroed((long) MAX_SEGMENTS * MMSGHDR);
        private final Memory iovs = zeroed((long) MAX_SEGMENTS * IOVEC);

        Sender() {
            message.setInt(MSG_NAMELEN, SOCKADDR_IN);
            message.setPointer(MSG_IOV, iov);
            putSize(message, MSG_IOVLEN, 1);
            message.setPointer(MSG_CONTROL, control);
            putSize(message, MSG_CONTROLLEN, CMSG_SPACE_INT);
            putSize(control, 0, CMSG_HEADER + 2);
            control.setInt(P, LibC.SOL_UDP);
            control.setInt(P + 4, LibC.UDP_SEGMENT);
            for (int i = 0; i < MAX_SEGMENTS; i++) {
                long m = (long) i * MMSGHDR;
                messages.setInt(m + MSG_NAMELEN, SOCKADDR_IN);
                messages.setPointer(m + MSG_IOV, iovs.share((long) i * IOVEC));
                putSize(messages, m + MSG_IOVLEN, 1);
            }
        }
    }

    /**
     * Sends {@code total} bytes at {@code data} as datagrams of {@code stride} bytes (the last may be shorter), all
     * to {@code to}: with UDP GSO, 64 or 64 KB at a time, else with sendmmsg.
     *
     * @return how many datagrams the kernel took
     */
    int sendSegments(Sender s, Pointer data, int total, int stride, Pointer to) {
        int perCall = Math.max(1, Math.min(MAX_SEGMENTS, MAX_GSO_BYTES / stride));
        int sent = 0;
        lock.readLock().lock();
        try {
            for (int offset = 0; offset < total && !closed; ) {
                int bytes = Math.min(total - offset, perCall * stride);
                int count = (bytes + stride - 1) / stride;
                if (gso && count > 1 && sendGso(s, data.share(offset), bytes, stride, to)) {
                    sent += count;
                } else if (!gso || count == 1) {
                    sent += sendEach(s, data, offset, bytes, stride, to);
                } // else GSO failed for this call only (buffer full): dropped, as the kernel would
                offset += bytes;
            }
        } finally {
            lock.readLock().unlock();
        }
        return sent;
    }

    private boolean sendGso(Sender s, Pointer data, int bytes, int stride, Pointer to) {
        s.iov.setPointer(0, data);
        putSize(s.iov, P, bytes);
        s.message.setPointer(MSG_NAME, to);
        s.control.setShort(CMSG_HEADER, (short) stride);
        try {
            LibC.sendmsg(fd, s.message, 0);
            return true;
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == LibC.EIO || errno == LibC.EINVAL || errno == 92 /* ENOPROTOOPT */ || errno == 95) {
                gso = false; // the caller sends these one by one, and so on from now on
                LOG.log(System.Logger.Level.INFO, "UDP GSO refused (" + LibC.describe(e)
                        + "; before Linux 6.10: no TX checksum offload on the underlay device?): sending datagrams one by one");
            }
            return false;
        }
    }

    private int sendEach(Sender s, Pointer data, int offset, int bytes, int stride, Pointer to) {
        int count = (bytes + stride - 1) / stride;
        for (int i = 0; i < count; i++) {
            long iov = (long) i * IOVEC;
            s.iovs.setPointer(iov, data.share(offset + (long) i * stride));
            putSize(s.iovs, iov + P, Math.min(stride, bytes - i * stride));
            s.messages.setPointer((long) i * MMSGHDR + MSG_NAME, to);
        }
        int done = 0;
        while (done < count) {
            try {
                done += LibC.sendmmsg(fd, s.messages.share((long) done * MMSGHDR), count - done, 0);
            } catch (LastErrorException e) {
                break; // the rest is dropped
            }
        }
        return done;
    }

    /** The structures and buffers one receiving thread reuses: {@code slots} datagrams (or GRO runs) per call. */
    static final class Receiver {
        static final int SLOT = 65536;
        final int slots;
        final Memory data;
        /** All slots, big-endian: slot i starts at i * {@link #SLOT}. */
        final ByteBuffer buffer;
        private final Memory names;
        private final ByteBuffer namesBuffer;
        private final Memory controls;
        private final Memory messages;
        /** Referenced from native memory only: held here so the collector cannot free it under the kernel. */
        private final Memory iovs;
        private final int[] lengths;
        private final int[] segments;

        Receiver(int slots) {
            this.slots = slots;
            data = new Memory((long) slots * SLOT);
            buffer = data.getByteBuffer(0, data.size()).order(ByteOrder.BIG_ENDIAN);
            names = zeroed((long) slots * SOCKADDR_IN);
            namesBuffer = names.getByteBuffer(0, names.size()).order(ByteOrder.BIG_ENDIAN);
            controls = zeroed((long) slots * CMSG_SPACE_INT);
            messages = zeroed((long) slots * MMSGHDR);
            iovs = zeroed((long) slots * IOVEC);
            for (int i = 0; i < slots; i++) {
                iovs.setPointer((long) i * IOVEC, data.share((long) i * SLOT));
                putSize(iovs, (long) i * IOVEC + P, SLOT);
                long m = (long) i * MMSGHDR;
                messages.setPointer(m + MSG_NAME, names.share((long) i * SOCKADDR_IN));
                messages.setPointer(m + MSG_IOV, iovs.share((long) i * IOVEC));
                putSize(messages, m + MSG_IOVLEN, 1);
                messages.setPointer(m + MSG_CONTROL, controls.share((long) i * CMSG_SPACE_INT));
            }
            lengths = new int[slots];
            segments = new int[slots];
        }

        /** Bytes received in slot i. */
        int length(int i) {
            return lengths[i];
        }

        /** The size of each datagram in slot i (UDP GRO joins a run of equal ones; the last may be shorter). */
        int segment(int i) {
            return segments[i];
        }

        /** The sender's IPv4 address in slot i, as a big-endian int. */
        int sourceAddress(int i) {
            return namesBuffer.getInt(i * SOCKADDR_IN + 4);
        }

        int sourcePort(int i) {
            return namesBuffer.getShort(i * SOCKADDR_IN + 2) & 0xffff;
        }
    }

    /**
     * Waits up to {@link #RECEIVE_TIMEOUT_MILLIS} for datagrams and takes as many as are there, up to the slots.
     *
     * @return slots filled, 0 when none came, -1 once the socket is closed
     */
    int receive(Receiver r) {
        if (closed) {
            return -1;
        }
        for (int i = 0; i < r.slots; i++) {
            long m = (long) i * MMSGHDR;
            r.messages.setInt(m + MSG_NAMELEN, SOCKADDR_IN);
            putSize(r.messages, m + MSG_CONTROLLEN, CMSG_SPACE_INT);
            r.messages.setInt(m + MSG_FLAGS, 0);
        }
        int n;
        try {
            n = LibC.recvmmsg(fd, r.messages, r.slots, LibC.MSG_WAITFORONE, Pointer.NULL);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EAGAIN && e.getErrorCode() != LibC.EINTR) {
                LockSupport.parkNanos(1_000_000); // an error that may repeat: do not spin on it
            }
            return closed ? -1 : 0; // EAGAIN: the timeout; anything else: try again
        }
        for (int i = 0; i < n; i++) {
            long m = (long) i * MMSGHDR;
            int length = r.messages.getInt(m + MSGHDR);
            int segment = length;
            long control = (long) i * CMSG_SPACE_INT;
            if (getSize(r.messages, m + MSG_CONTROLLEN) >= CMSG_HEADER + 4
                    && r.controls.getInt(control + P) == LibC.SOL_UDP
                    && r.controls.getInt(control + P + 4) == LibC.UDP_GRO) {
                segment = r.controls.getInt(control + CMSG_HEADER);
            }
            r.lengths[i] = length;
            r.segments[i] = segment > 0 ? segment : length;
        }
        return n;
    }

    /** Marks the socket closed: the receiver stops within the receive timeout, sends fail. */
    void close() {
        closed = true;
    }

    /** Closes the descriptor. Call after the receiver stopped. */
    void release() {
        closed = true;
        lock.writeLock().lock();
        try {
            if (!released) {
                released = true;
                LibC.close(fd);
            }
        } catch (LastErrorException e) {
            // already closed
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static Memory zeroed(long size) {
        Memory m = new Memory(size);
        m.clear();
        return m;
    }
}
