package io.civitas.overlay;

import java.util.concurrent.atomic.LongAdder;

/** The userspace datapath's counters, written by its forwarding threads. */
final class DatapathCounters {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder keepalives = new LongAdder();

    UserspaceDatapath.Counters snapshot() {
        return new UserspaceDatapath.Counters(sent.sum(), received.sum(), dropped.sum(), keepalives.sum());
    }
}
