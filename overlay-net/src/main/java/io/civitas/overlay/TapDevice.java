package io.civitas.overlay;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A TAP device owned by this process: opened through /dev/net/tun with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, so each
 * read gives one Ethernet frame after a {@link VnetHeader} and each write injects one the same way. With the
 * offloads set (TUNSETOFFLOAD: checksum, TSO for IPv4 and IPv6) the kernel hands over TCP segments of up to 64 KB
 * with partial checksums, and takes them back: the datapath segments and coalesces them itself
 * ({@link TcpSegmenter}, {@link TcpCoalescer}), which saves a system call and a trip through the stack per
 * 1.4 KB frame. It is not persistent: the kernel deletes the device when the
 * descriptor closes (on {@link #close} or when the process dies), so a restarted agent makes it again.
 *
 * <p>Reads wait in poll with a short timeout, because closing a descriptor does not wake a thread blocked in
 * read on it; {@link #close} waits until no write is in flight, so a descriptor number reused after close is never
 * written to.
 */
final class TapDevice implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TapDevice.class.getName());

    /** How long a read waits before it looks whether the device was closed. */
    static final int POLL_MILLIS = 200;

    private final String name;
    private final int fd;
    private final Memory pollFd = new Memory(8);
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private boolean released;

    private TapDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
        pollFd.setInt(0, fd);
        pollFd.setShort(4, LibC.POLLIN);
    }

    /** Creates (or attaches to) the TAP device {@code name} in {@code netns} (null: this process's namespace). */
    static TapDevice open(String name, String netns) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length >= LibC.IFNAMSIZ) {
            throw new DatapathException("device name longer than 15 characters: " + name);
        }
        return Netns.call(netns, () -> {
            int fd;
            try {
                fd = LibC.VARIADIC.open("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC);
            } catch (LastErrorException e) {
                throw new DatapathException("cannot open /dev/net/tun: " + LibC.describe(e)
                        + " (is the tun module loaded, and are we root?)", e);
            }
            byte[] ifreq = new byte[LibC.IFREQ_SIZE];
            System.arraycopy(nameBytes, 0, ifreq, 0, nameBytes.length);
            short flags = (short) (LibC.IFF_TAP | LibC.IFF_NO_PI | LibC.IFF_VNET_HDR);
            ifreq[LibC.IFNAMSIZ] = (byte) flags;         // the flags short, in the machine's (little-endian) order
            ifreq[LibC.IFNAMSIZ + 1] = (byte) (flags >> 8);
            try {
                LibC.VARIADIC.ioctl(fd, new NativeLong(LibC.TUNSETIFF), ifreq);
            } catch (LastErrorException e) {
                LibC.close(fd);
                throw new DatapathException("cannot create TAP device " + name + (netns == null ? "" : " in " + netns)
                        + ": TUNSETIFF " + LibC.describe(e)
                        + (e.getErrorCode() == 16 ? " (a device of that name exists and is in use or not a TAP)" : ""), e);
            }
            try {
                LibC.VARIADIC.ioctl(fd, new NativeLong(LibC.TUNSETOFFLOAD),
                        new NativeLong(LibC.TUN_F_CSUM | LibC.TUN_F_TSO4 | LibC.TUN_F_TSO6));
            } catch (LastErrorException e) {
                // Still correct without: frames come one MTU at a time with complete checksums.
                LOG.log(System.Logger.Level.WARNING, "no TAP offloads on " + name + ": TUNSETOFFLOAD "
                        + LibC.describe(e));
            }
            return new TapDevice(name, fd);
        });
    }

    String name() {
        return name;
    }

    /**
     * Reads one frame, after its virtio_net_hdr, into {@code buffer}; waits at most {@link #POLL_MILLIS}.
     *
     * @return the length of header and frame, 0 when none came in time, -1 once the device is closed or gone
     */
    int read(Pointer buffer, int capacity) {
        if (closed) {
            return -1;
        }
        try {
            int ready = LibC.poll(pollFd, 1, POLL_MILLIS);
            if (ready == 0 || closed) {
                return closed ? -1 : 0;
            }
            short revents = pollFd.getShort(6);
            if ((revents & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0) {
                return -1;
            }
            return (int) LibC.read(fd, buffer, capacity);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR || e.getErrorCode() == LibC.EAGAIN) {
                return 0;
            }
            return -1; // EIO/EBADFD: the device went away under us (deleted by someone else); the reader stops
        }
    }

    /** Writes one virtio_net_hdr and frame; false when the device is closed or the kernel refused it (counted by the caller as a drop). */
    boolean write(Pointer frame, int length) {
        lock.readLock().lock();
        try {
            if (closed) {
                return false;
            }
            return LibC.write(fd, frame, length) == length;
        } catch (LastErrorException e) {
            return false;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Writes the frame the {@code iov} array of {@code count} iovecs describes ({@code length} bytes in all). */
    boolean writev(Pointer iov, int count, int length) {
        lock.readLock().lock();
        try {
            if (closed) {
                return false;
            }
            return LibC.writev(fd, iov, count) == length;
        } catch (LastErrorException e) {
            return false;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Marks the device closed; the descriptor itself is released by {@link #release} once the reader stopped. */
    @Override
    public void close() {
        closed = true;
    }

    /** Closes the descriptor (the kernel deletes the device). Call after the reader thread ended. */
    void release() {
        closed = true;
        lock.writeLock().lock();
        try {
            if (released) {
                return;
            }
            released = true;
            LibC.close(fd);
        } catch (LastErrorException e) {
            // already closed: nothing to release
        } finally {
            lock.writeLock().unlock();
        }
    }
}
