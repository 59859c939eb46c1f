package io.civitas.agent;

import java.util.Locale;

/**
 * How the agent runs its node's overlays.
 *
 * @param datapath {@code auto} (kernel VXLAN, userspace where the kernel lacks it or the node is behind NAT,
 *     none without the privileges), {@code kernel}, {@code userspace} or {@code none} (record overlays only)
 * @param underlayAddress the address this node's VXLAN endpoint sends from; null: the address this host uses to
 *     reach its controller
 * @param underlayDevice the device VXLAN packets leave by; null: let routing choose
 * @param behindNat {@code auto} (compare the underlay address with the address the controller sees),
 *     {@code true} or {@code false}
 * @param netns a network namespace the overlays live in (several agents in one process, as the demo runs
 *     them); null: this process's own
 */
public record OverlayConfig(String datapath, String underlayAddress, String underlayDevice, String behindNat,
                            String netns) {

    public static final String KEY_DATAPATH = "datapath";
    public static final String KEY_UNDERLAY_ADDRESS = "underlay-address";
    public static final String KEY_UNDERLAY_DEVICE = "underlay-device";
    public static final String KEY_BEHIND_NAT = "behind-nat";
    public static final String KEY_NETNS = "netns";

    public static final OverlayConfig AUTO = new OverlayConfig(null, null, null, null, null);

    public OverlayConfig {
        datapath = datapath == null || datapath.isBlank() ? "auto" : datapath.trim().toLowerCase(Locale.ROOT);
        if (!datapath.matches("auto|kernel|userspace|none")) {
            throw new IllegalArgumentException(KEY_DATAPATH + ": '" + datapath + "' is not one of auto, kernel, userspace, none");
        }
        behindNat = behindNat == null || behindNat.isBlank() ? "auto" : behindNat.trim().toLowerCase(Locale.ROOT);
        if (!behindNat.matches("auto|true|false")) {
            throw new IllegalArgumentException(KEY_BEHIND_NAT + ": '" + behindNat + "' is not one of auto, true, false");
        }
        underlayAddress = blankToNull(underlayAddress);
        if (underlayAddress != null && !underlayAddress.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException(KEY_UNDERLAY_ADDRESS + ": '" + underlayAddress + "' is not an IPv4 address");
        }
        underlayDevice = blankToNull(underlayDevice);
        netns = blankToNull(netns);
    }

    public OverlayConfig withNetns(String namespace, String address) {
        return new OverlayConfig(datapath, address, underlayDevice, behindNat, namespace);
    }

    public OverlayConfig withDatapath(String mode) {
        return new OverlayConfig(mode, underlayAddress, underlayDevice, behindNat, netns);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
