package io.civitas.controller.node;

import java.time.Duration;
import java.util.Collection;
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
        if (!closed && enqueue(key)) {
            notify(); // one key: one worker
        }
    }

    /**
     * Adds every key under one lock: a city-wide change adds ten thousand, and one wake-up of all workers per key
     * had them fight the adding thread for the lock.
     */
    synchronized void addAll(Collection<String> keys) {
        boolean any = false;
        for (String key : keys) {
            any |= !closed && enqueue(key);
        }
        if (any) {
            notifyAll();
        }
    }

    /** True when the key now waits (it was not waiting already, nor in processing). */
    private boolean enqueue(String key) {
        if (processing.contains(key)) {
            dirty.add(key);
            return false;
        }
        return waiting.add(key);
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
            notify();
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
