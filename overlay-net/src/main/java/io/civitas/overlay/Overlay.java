package io.civitas.overlay;

import java.util.regex.Pattern;

/**
 * A virtual L2 network: a name, its VXLAN network identifier, its IPv4 subnet and the largest MTU its members
 * may use. Constructing one validates it; a bad field throws {@link OverlayException} (reason INVALID) whose
 * message starts with the field's name.
 *
 * <p>A node's actual MTU is the smaller of {@code mtu} and its underlay MTU minus the 50 bytes of VXLAN
 * encapsulation (see {@link OverlayPlans}).
 */
public record Overlay(String name, int vni, String cidr, int mtu) {

    public static final int MAX_VNI = 16_777_215;
    public static final int MIN_MTU = 576;
    public static final int MAX_MTU = 9000;
    public static final int DEFAULT_MTU = 1450;
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");

    public Overlay {
        if (name == null || !NAME.matcher(name).matches()) {
            throw OverlayException.invalid("name", "'" + name + "' must be 1-32 characters of a-z, 0-9 and '-'");
        }
        if (vni < 1 || vni > MAX_VNI) {
            throw OverlayException.invalid("vni", vni + " is out of range 1.." + MAX_VNI);
        }
        cidr = Ipv4Cidr.parse("cidr", cidr).toString();
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw OverlayException.invalid("mtu", mtu + " is out of range " + MIN_MTU + ".." + MAX_MTU);
        }
    }

    /** An overlay with the MTU that fits a 1500-byte underlay. */
    public Overlay(String name, int vni, String cidr) {
        this(name, vni, cidr, DEFAULT_MTU);
    }

    /** The prefix length of {@link #cidr()}. */
    public int prefixLength() {
        return subnet().prefixLength();
    }

    Ipv4Cidr subnet() {
        return Ipv4Cidr.parse("cidr", cidr);
    }
}
