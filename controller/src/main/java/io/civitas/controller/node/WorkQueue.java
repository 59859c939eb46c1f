package io.civitas.controller.node;

import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keys waiting to be reconciled, as in client-go's work queue: a key waits at most once however often
 * it is added, and is never handed out twice at once. A key added while it is being processed comes
 * back once {@link #done} is called for it.
 */
final class WorkQueue implements AutoCloseable {

    private final Set<String> waiting = new LinkedHashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "reconcile-timer"));
    private boolean closed;

    synchronized void add(String key) {
        if (closed) {
            return;
        }
        if (processing.contains(key)) {
            dirty.add(key);
        } else if (waiting.add(key)) {
            notifyAll();
        }
    }

    /** Adds {@code key} after {@code delay} (a retry with backoff). */
    void addAfter(String key, Duration delay) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        timer.schedule(() -> add(key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** The next key, blocking until there is one; null once the queue is closed. */
    synchronized String take() throws InterruptedException {
        while (waiting.isEmpty() && !closed) {
            wait();
        }
        if (closed) {
            return null;
        }
        Iterator<String> first = waiting.iterator();
        String key = first.next();
        first.remove();
        processing.add(key);
        return key;
    }

    /** The key's processing ended; if it was added meanwhile it waits again. */
    synchronized void done(String key) {
        processing.remove(key);
        if (dirty.remove(key) && !closed && waiting.add(key)) {
            notifyAll();
        }
    }

    synchronized int size() {
        return waiting.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        timer.shutdownNow();
        notifyAll();
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
