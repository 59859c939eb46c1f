package io.civitas.policy.facts;

/** Dotted version numbers ("0.1.0", "1.2"); a non-numeric part counts as 0. */
final class Versions {
    private Versions() {}

    static boolean older(String version, String minimum) {
        if (version == null || version.isBlank()) {
            return false;
        }
        String[] a = version.trim().split("[.-]");
        String[] b = minimum.trim().split("[.-]");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = part(a, i);
            int y = part(b, i);
            if (x != y) {
                return x < y;
            }
        }
        return false;
    }

    private static int part(String[] parts, int i) {
        if (i >= parts.length) {
            return 0;
        }
        try {
            return Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
