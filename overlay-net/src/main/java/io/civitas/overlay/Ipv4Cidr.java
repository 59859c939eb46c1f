package io.civitas.overlay;

/** An IPv4 prefix as two ints; addresses are unsigned 32-bit values held in an int. */
record Ipv4Cidr(int network, int prefixLength) {

    static Ipv4Cidr parse(String field, String text) {
        if (text == null) {
            throw OverlayException.invalid(field, "missing (expected an IPv4 CIDR such as 10.10.0.0/24)");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw OverlayException.invalid(field, "'" + text + "' has no prefix length (expected e.g. 10.10.0.0/24)");
        }
        int address = parseAddress(field, text.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw OverlayException.invalid(field, "'" + text + "' has a prefix length that is not a number");
        }
        // /31 and /32 leave no host addresses once network and broadcast are set aside.
        if (prefix < 8 || prefix > 30) {
            throw OverlayException.invalid(field, "prefix length /" + prefix + " is out of range 8..30");
        }
        Ipv4Cidr cidr = new Ipv4Cidr(address & mask(prefix), prefix);
        if (cidr.network != address) {
            throw OverlayException.invalid(field, "'" + text + "' has host bits set (did you mean " + cidr + "?)");
        }
        return cidr;
    }

    static int parseAddress(String field, String text) {
        String[] parts = text == null ? new String[0] : text.split("\\.", -1);
        if (parts.length != 4) {
            throw OverlayException.invalid(field, "'" + text + "' is not an IPv4 address");
        }
        int value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = part.length() > 3 || part.isEmpty() ? -1 : Integer.parseInt(part);
            } catch (NumberFormatException e) {
                octet = -1;
            }
            if (octet < 0 || octet > 255) {
                throw OverlayException.invalid(field, "'" + text + "' is not an IPv4 address");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    int broadcast() {
        return network | ~mask(prefixLength);
    }

    boolean contains(int address) {
        return (address & mask(prefixLength)) == network;
    }

    boolean overlaps(Ipv4Cidr other) {
        return contains(other.network) || other.contains(network);
    }

    /** First and last host: the network and broadcast addresses are never handed out. */
    int firstHost() {
        return network + 1;
    }

    int lastHost() {
        return broadcast() - 1;
    }

    int hostCount() {
        return lastHost() - firstHost() + 1;
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }
}
