package io.civitas.protocol;

/** The agent's answer to a {@link CaptureRequest}: a libpcap file, base64, and how many packets it holds. */
public record CaptureResult(String pcapBase64, int packets, String device) {}
