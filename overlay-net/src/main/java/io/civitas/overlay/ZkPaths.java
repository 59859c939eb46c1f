package io.civitas.overlay;

/**
 * The znode layout, relative to the caller's Curator namespace:
 * <pre>
 * /overlays                       data bumped on every create/delete: its version guards the whole set
 * /overlays/NAME                  the overlay (properties text)
 * /overlays/NAME/addresses/IP     data = node id; exists = the address is taken
 * /overlays/NAME/members/NODE     data = IP
 * /vnis/VNI                       data = overlay name; exists = the VNI is taken
 * </pre>
 */
final class ZkPaths {

    static final String OVERLAYS = "/overlays";
    static final String VNIS = "/vnis";

    private ZkPaths() {}

    static String overlay(String name) {
        return OVERLAYS + "/" + name;
    }

    static String addresses(String name) {
        return overlay(name) + "/addresses";
    }

    static String address(String name, String ip) {
        return addresses(name) + "/" + ip;
    }

    static String members(String name) {
        return overlay(name) + "/members";
    }

    static String member(String name, String nodeId) {
        return members(name) + "/" + nodeId;
    }

    static String vni(int vni) {
        return VNIS + "/" + vni;
    }
}
