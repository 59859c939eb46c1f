package io.civitas.controller.cluster;

import org.apache.curator.RetryPolicy;
import org.apache.curator.RetrySleeper;

import java.util.function.BooleanSupplier;

/**
 * The Curator client's retry policy, except that nothing is retried while ZooKeeper is lost: an operation
 * then fails after one attempt (bounded by the connection timeout) instead of holding its thread through a
 * whole backoff schedule. Without it a reconciler worker or the agent-events thread that was mid-call when the
 * quorum went away stays blocked for minutes, and with it everything queued behind it.
 */
final class FailFastRetry implements RetryPolicy {

    private final RetryPolicy normal;
    private final BooleanSupplier connected;

    FailFastRetry(RetryPolicy normal, BooleanSupplier connected) {
        this.normal = normal;
        this.connected = connected;
    }

    @Override
    public boolean allowRetry(int retryCount, long elapsedTimeMs, RetrySleeper sleeper) {
        return connected.getAsBoolean() && normal.allowRetry(retryCount, elapsedTimeMs, sleeper);
    }

    @Override
    public boolean allowRetry(Throwable exception) {
        return normal.allowRetry(exception);
    }
}
