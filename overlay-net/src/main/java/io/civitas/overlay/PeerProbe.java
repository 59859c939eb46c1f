package io.civitas.overlay;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an overlay peer answers: one ICMP echo to its overlay address, sent out of the overlay's own device,
 * so the answer proves the whole path (device, encapsulation, underlay, the peer's datapath). Uses iputils
 * {@code ping} (raw sockets need root, which a datapath has anyway).
 */
public final class PeerProbe {

    private static final Pattern RTT = Pattern.compile("time[=<]([0-9.]+) ?ms");
    private final Shell shell;

    /** @param netns the namespace the overlay devices live in, or null for this process's own */
    public PeerProbe(String netns) {
        this.shell = new Shell(netns);
    }

    /** The round-trip time in milliseconds, or a negative number when no answer came within a second. */
    public double rttMillis(String device, String address) {
        Ipv4Cidr.parseAddress("address", address);
        Shell.Result r = shell.run("ping", "-n", "-c", "1", "-W", "1", "-I", device, address);
        if (r.exit() != 0) {
            return -1;
        }
        Matcher m = RTT.matcher(r.stdout());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
