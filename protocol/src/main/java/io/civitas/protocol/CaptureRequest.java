package io.civitas.protocol;

/**
 * A packet capture on a node's overlay interface ({@code POST /api/v1/nodes/{id}/captures}, then
 * {@link WampUris#capture(String)} to the agent): at most {@code maxPackets} packets matching the BPF
 * {@code filter} (empty: all), for at most {@code maxSeconds}.
 */
public record CaptureRequest(String overlay, String filter, int maxPackets, int maxSeconds) {

    public static final int MAX_PACKETS = 10_000;
    public static final int MAX_SECONDS = 60;
    /** The largest pcap an agent returns; a capture stops when it would grow past it. */
    public static final int MAX_BYTES = 8 * 1024 * 1024;
}
