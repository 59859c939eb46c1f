package io.civitas.overlay;

import com.sun.jna.LastErrorException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Creates kernel objects in a named network namespace ({@code ip netns add NAME}) from this JVM. A socket, a
 * tun/tap device or a packet-capture handle belongs to the namespace of the thread that created it, and stays
 * there whichever thread uses it later. So {@link #call} runs the creation on a fresh thread that first joins
 * the namespace with {@code setns(open("/var/run/netns/NAME"), CLONE_NEWNET)} and then ends: no pooled thread
 * is ever left in another namespace. Needs CAP_SYS_ADMIN (root).
 */
final class Netns {

    private static final String RUN_DIR = "/var/run/netns/";

    private Netns() {}

    /** Runs {@code creation} inside {@code netns}, or on the calling thread when netns is null. */
    static <T> T call(String netns, Callable<T> creation) {
        if (netns == null) {
            return unchecked(creation);
        }
        FutureTask<T> task = new FutureTask<>(() -> {
            join(netns);
            return creation.call();
        });
        Thread t = new Thread(task, "cv-netns-" + netns);
        t.setDaemon(true);
        t.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatapathException("interrupted while working in network namespace " + netns, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new DatapathException("in network namespace " + netns + ": " + cause.getMessage(), cause);
        }
    }

    private static void join(String netns) {
        if (netns.contains("/")) {
            throw new DatapathException("bad network namespace name: " + netns);
        }
        int fd;
        try {
            fd = LibC.VARIADIC.open(RUN_DIR + netns, LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new DatapathException("cannot open network namespace " + RUN_DIR + netns + ": " + LibC.describe(e)
                    + " (does it exist? ip netns list)", e);
        }
        try {
            LibC.setns(fd, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new DatapathException("cannot join network namespace " + netns + ": " + LibC.describe(e)
                    + " (needs root / CAP_SYS_ADMIN)", e);
        } finally {
            LibC.close(fd);
        }
    }

    private static <T> T unchecked(Callable<T> creation) {
        try {
            return creation.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new DatapathException(e.getMessage(), e);
        }
    }
}
