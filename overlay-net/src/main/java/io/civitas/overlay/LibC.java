package io.civitas.overlay;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls the userspace datapath needs (Linux only): TAP devices through /dev/net/tun, poll, read,
 * write, and setns to join a network namespace. Failures throw {@link LastErrorException} carrying errno.
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

    /** open and ioctl are variadic in C: an interface mapping lets JNA pass their arguments the variadic way. */
    interface Variadic extends Library {
        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, NativeLong request, byte[] arg) throws LastErrorException;
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

    static String describe(LastErrorException e) {
        return "errno " + e.getErrorCode() + " (" + e.getMessage() + ")";
    }
}
