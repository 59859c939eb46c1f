package io.civitas.overlay;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Linux device names of an overlay on a node, derived from the VNI alone so that a restarted agent finds
 * what it made. The longest, {@code cv-tap-16777215}, is 15 characters: the kernel's IFNAMSIZ limit.
 */
public final class DeviceNames {

    private static final Pattern OURS = Pattern.compile("cv-(br|vx|tap)-(\\d{1,8})");

    private DeviceNames() {}

    public static String bridge(int vni) {
        return "cv-br-" + vni;
    }

    public static String vxlan(int vni) {
        return "cv-vx-" + vni;
    }

    public static String tap(int vni) {
        return "cv-tap-" + vni;
    }

    /** The VNI of a device this module names, or empty for any other device. */
    public static OptionalInt vniOf(String device) {
        Matcher m = OURS.matcher(device);
        return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(2))) : OptionalInt.empty();
    }
}
