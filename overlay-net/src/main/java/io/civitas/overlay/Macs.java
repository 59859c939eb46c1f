package io.civitas.overlay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic MACs, so every controller and a restarted agent compute the same one for a member. */
final class Macs {

    private Macs() {}

    /** A locally administered unicast MAC derived from SHA-256 of "overlay/node". */
    static String forMember(String overlay, String nodeId) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256")
                    .digest((overlay + "/" + nodeId).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        byte[] mac = new byte[6];
        System.arraycopy(hash, 0, mac, 0, 6);
        mac[0] = (byte) ((mac[0] | 0x02) & 0xfe); // locally administered, unicast
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }
}
