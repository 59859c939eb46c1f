package io.civitas.controller.system;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Random tokens and their SHA-256 hashes. Only hashes are ever stored; comparisons are constant-time. */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Secrets() {}

    /** 256 random bits, URL-safe base64 without padding (43 characters). */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** {@code chars} random lower-case hex digits. */
    public static String randomHex(int chars) {
        byte[] bytes = new byte[(chars + 1) / 2];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes).substring(0, chars);
    }

    public static String sha256Hex(String value) {
        return HEX.formatHex(sha256(value));
    }

    /** True when {@code candidate} hashes to {@code expectedSha256Hex}; false for any null or malformed input. */
    public static boolean matches(String candidate, String expectedSha256Hex) {
        if (candidate == null || expectedSha256Hex == null || expectedSha256Hex.length() != 64) {
            return false;
        }
        byte[] expected;
        try {
            expected = HEX.parseHex(expectedSha256Hex);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sha256(candidate), expected);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
