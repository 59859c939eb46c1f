package io.civitas.agent;

import io.civitas.protocol.Inventory;
import io.civitas.protocol.NetworkInterfaceInfo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/** What this node runs on, as reported in every hello. Never fails: unknown values are "unknown". */
final class InventoryCollector {
    private static final String UNKNOWN = "unknown";

    private InventoryCollector() {}

    static Inventory collect() {
        return new Inventory(hostname(), System.getProperty("os.arch", UNKNOWN), System.getProperty("os.name", UNKNOWN),
                // On Linux os.version is the kernel release, the same string `uname -r` prints.
                System.getProperty("os.version", UNKNOWN), System.getProperty("java.version", UNKNOWN),
                agentVersion(), interfaces());
    }

    /** The build's version, from a resource Maven fills in; "dev" when run from an IDE without it. */
    static String agentVersion() {
        try (InputStream in = InventoryCollector.class.getResourceAsStream("agent-version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.startsWith("@")) {
                    return version;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "dev";
    }

    static String hostname() {
        // /etc/hostname first: getLocalHost() can stall for seconds on a board with broken DNS.
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String name = Files.readString(etc, StandardCharsets.UTF_8).trim();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? UNKNOWN : env;
        }
    }

    static List<NetworkInterfaceInfo> interfaces() {
        List<NetworkInterfaceInfo> result = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                result.add(describe(nic));
            }
        } catch (SocketException e) {
            return List.of();
        }
        result.sort(Comparator.comparing(NetworkInterfaceInfo::name));
        return result;
    }

    private static NetworkInterfaceInfo describe(NetworkInterface nic) {
        String mac = "";
        boolean up = false;
        try {
            byte[] hardware = nic.getHardwareAddress();
            mac = hardware == null ? "" : HexFormat.ofDelimiter(":").formatHex(hardware);
            up = nic.isUp();
        } catch (SocketException ignored) {
            // an interface that vanished while we looked: report what we have
        }
        List<String> addresses = nic.inetAddresses().map(InventoryCollector::address).sorted().toList();
        return new NetworkInterfaceInfo(nic.getName(), mac, addresses, up);
    }

    private static String address(InetAddress address) {
        String text = address.getHostAddress();
        int scope = text.indexOf('%'); // drop the IPv6 scope suffix (fe80::1%eth0): the name says it already
        return scope < 0 ? text : text.substring(0, scope);
    }
}
