package io.civitas.overlay;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Timestamp;
import java.time.Duration;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * A bounded packet capture on one device (e.g. an overlay's {@code cv-tap-VNI} or {@code cv-br-VNI}) with libpcap
 * through Pcap4J, returned as the bytes of a libpcap file (what Wireshark and tcpdump -r open). It stops at the
 * first of: {@code maxPackets} packets, {@code maxDuration}, or a file that would grow past {@code maxBytes}.
 * Needs root (CAP_NET_RAW) and Debian's libpcap0.8 at run time.
 *
 * <p>The file is written here, not with Pcap4J's {@code PcapDumper}: that writes only to a path on disk
 * (pcap_dump_open), so it would need a temporary file, and the byte bound could only be checked after the fact.
 * The format is small: a 24-byte global header (magic 0xa1b2c3d4, microsecond timestamps, version 2.4, snap
 * length, link type) and per packet a 16-byte record header (seconds, microseconds, captured and original length)
 * followed by the bytes, all little-endian.
 */
public final class Capture {

    static final int MAGIC = 0xa1b2c3d4;
    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;
    static final int SNAPLEN = 65535;
    private static final long IDLE_SLEEP_MILLIS = 5;

    private Capture() {}

    /** A capture in this process's network namespace. */
    public static byte[] run(String device, String bpfFilter, int maxPackets, Duration maxDuration, long maxBytes) {
        return run(device, bpfFilter, maxPackets, maxDuration, maxBytes, null);
    }

    /**
     * Captures on {@code device} in {@code netns} (null: this namespace) and returns a libpcap file.
     *
     * @param bpfFilter a tcpdump-style filter, or null/blank for every packet
     * @throws IllegalArgumentException for a bad limit, an unknown device or a filter libpcap cannot compile; the
     *     message starts with the field's name ({@code bpfFilter: cannot compile 'icmp and': ...})
     * @throws DatapathException when libpcap fails otherwise (e.g. not root)
     */
    public static byte[] run(String device, String bpfFilter, int maxPackets, Duration maxDuration, long maxBytes,
                             String netns) {
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("device: missing");
        }
        if (maxPackets < 1) {
            throw new IllegalArgumentException("maxPackets: must be at least 1, was " + maxPackets);
        }
        if (maxDuration == null || maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("maxDuration: must be positive, was " + maxDuration);
        }
        if (maxBytes < GLOBAL_HEADER) {
            throw new IllegalArgumentException("maxBytes: must be at least " + GLOBAL_HEADER + " (the file header), was " + maxBytes);
        }
        // Opened on a thread inside the namespace: the packet socket belongs to the namespace it was made in.
        PcapHandle handle = Netns.call(netns, () -> open(device, netns));
        try (handle) {
            if (bpfFilter != null && !bpfFilter.isBlank()) {
                try {
                    handle.setFilter(bpfFilter, BpfProgram.BpfCompileMode.OPTIMIZE);
                } catch (PcapNativeException e) {
                    throw new IllegalArgumentException("bpfFilter: cannot compile '" + bpfFilter + "': " + e.getMessage(), e);
                }
            }
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            return record(handle, maxPackets, maxDuration, maxBytes);
        } catch (PcapNativeException | NotOpenException e) {
            throw new DatapathException("capture on " + device + " failed: " + e.getMessage(), e);
        }
    }

    private static PcapHandle open(String device, String netns) {
        try {
            return new PcapHandle.Builder(device)
                    .snaplen(SNAPLEN)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(100)
                    .immediateMode(true)
                    .timestampPrecision(PcapHandle.TimestampPrecision.MICRO)
                    .build();
        } catch (PcapNativeException e) {
            String where = netns == null ? "" : " in network namespace " + netns;
            if (String.valueOf(e.getMessage()).contains("No such device")) {
                throw new IllegalArgumentException("device: no device '" + device + "'" + where, e);
            }
            throw new DatapathException("cannot capture on " + device + where + ": " + e.getMessage()
                    + " (needs root and libpcap0.8)", e);
        }
    }

    private static byte[] record(PcapHandle handle, int maxPackets, Duration maxDuration, long maxBytes)
            throws NotOpenException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(handle.getDlt().value());
        file.writeBytes(header.array());
        long deadline = System.nanoTime() + maxDuration.toNanos();
        int packets = 0;
        while (packets < maxPackets && System.nanoTime() < deadline) {
            byte[] data = handle.getNextRawPacket();
            if (data == null) {
                sleepIdle();
                continue;
            }
            if (file.size() + RECORD_HEADER + (long) data.length > maxBytes) {
                break;
            }
            Timestamp ts = handle.getTimestamp();
            Integer original = handle.getOriginalLength();
            ByteBuffer rec = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
            rec.putInt((int) Math.floorDiv(ts.getTime(), 1000)).putInt(ts.getNanos() / 1000)
                    .putInt(data.length).putInt(original == null ? data.length : original);
            file.writeBytes(rec.array());
            file.writeBytes(data);
            packets++;
        }
        return file.toByteArray();
    }

    private static void sleepIdle() {
        try {
            Thread.sleep(IDLE_SLEEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatapathException("capture interrupted", e);
        }
    }

    /** How many packets a pcap file made by {@link #run} holds (walks its record headers). */
    public static int packets(byte[] pcap) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pcap).order(java.nio.ByteOrder.nativeOrder());
        if (pcap.length < GLOBAL_HEADER) {
            return 0;
        }
        if (b.getInt(0) != MAGIC) {
            b.order(b.order() == java.nio.ByteOrder.BIG_ENDIAN ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        }
        int count = 0;
        for (int at = GLOBAL_HEADER; at + RECORD_HEADER <= pcap.length; count++) {
            at += RECORD_HEADER + b.getInt(at + 8);
        }
        return count;
    }
}
