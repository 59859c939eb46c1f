package io.civitas.overlay;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls the userspace datapath needs (Linux only): TAP devices through /dev/net/tun, poll, read,
 * write, setns to join a network namespace, and UDP sockets with the batched calls and options (GSO, GRO) that
 * java.nio does not offer. Failures throw {@link LastErrorException} carrying errno.
 */
final class LibC {

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;
    /** _IOW('T', 202, int): attach this descriptor to a tun/tap device, creating it if absent. */
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    /** sizeof(struct ifreq) on Linux: the name (IFNAMSIZ 16) then a 24-byte union whose first short is the flags. */
    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    /** A virtio_net_hdr before every frame, both ways: how the kernel passes TSO segments and partial checksums. */
    static final short IFF_VNET_HDR = 0x4000;
    /** _IOW('T', 208, unsigned int): which offloads this reader understands. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;

    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int SOL_UDP = 17;
    /** setsockopt or cmsg: the kernel cuts one send into datagrams of this many bytes (UDP GSO, Linux 4.18). */
    static final int UDP_SEGMENT = 103;
    /** setsockopt: receive runs of equal datagrams as one buffer, their size in a cmsg (UDP GRO, Linux 5.0). */
    static final int UDP_GRO = 104;
    static final int MSG_WAITFORONE = 0x10000;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;
    static final int EIO = 5;
    static final int EADDRINUSE = 98;

    /** open and ioctl are variadic in C: an interface mapping lets JNA pass their arguments the variadic way. */
    interface Variadic extends Library {
        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, NativeLong request, byte[] arg) throws LastErrorException;

        int ioctl(int fd, NativeLong request, NativeLong arg) throws LastErrorException;
    }

    static final Variadic VARIADIC = Native.load("c", Variadic.class);

    static {
        // Direct mapping for the per-packet calls: no reflection or argument boxing on each frame.
        Native.register(LibC.class, "c");
    }

    private LibC() {}

    static native int close(int fd) throws LastErrorException;

    static native long read(int fd, Pointer buffer, long count) throws LastErrorException;

    static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

    /** @param fds an array of struct pollfd {int fd; short events; short revents;} */
    static native int poll(Pointer fds, long nfds, int timeoutMillis) throws LastErrorException;

    static native int setns(int fd, int nstype) throws LastErrorException;

    static native long writev(int fd, Pointer iov, int count) throws LastErrorException;

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, Pointer address, int length) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

    static native long sendto(int fd, Pointer buffer, long length, int flags, Pointer address, int addressLength)
            throws LastErrorException;

    static native long sendmsg(int fd, Pointer message, int flags) throws LastErrorException;

    static native int sendmmsg(int fd, Pointer messages, int count, int flags) throws LastErrorException;

    static native int recvmmsg(int fd, Pointer messages, int count, int flags, Pointer timeout)
            throws LastErrorException;

    static String describe(LastErrorException e) {
        return "errno " + e.getErrorCode() + " (" + e.getMessage() + ")";
    }
}
