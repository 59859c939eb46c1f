package io.civitas.controller.southbound;

import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.ZkJson;
import io.civitas.overlay.AddressAllocator;
import io.civitas.overlay.Member;
import io.civitas.overlay.OverlayException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.projectfloodlight.openflow.types.DatapathId;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Gateway bridges and the VM ports attached to them, in ZooKeeper:
 * <pre>
 * /switches/&lt;dpid&gt;/gateway   {tunnelAddress, vxlanPort}: the bridge is an overlay gateway
 * /vm-attachments/&lt;name&gt;     {name, dpid, port, overlay, memberId, address, mac}: names are unique city-wide
 * </pre>
 * Attaching a VM makes it a member of the overlay ({@code vm-<name>}, like a Neutron port): its address and MAC
 * come from the overlay's {@link AddressAllocator}, so boards' plans list it with the gateway's tunnel address
 * as its VTEP. Two attachments racing for one port of one bridge are not prevented (the check reads, then
 * writes); the name is (the znode's creation is the lock).
 */
final class GatewayStore {

    record Gateway(String tunnelAddress, int vxlanPort) {}

    record Attachment(String name, String dpid, int port, String overlay, String memberId, String address,
                      String mac) {}

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,40}");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    /** OFPP_MAX: the highest number of a physical or logical port. */
    private static final int MAX_PORT = 0xffffff00;
    private final CuratorFramework zk;
    private final AddressAllocator allocator;

    GatewayStore(CuratorFramework zk, AddressAllocator allocator) {
        this.zk = zk;
        this.allocator = allocator;
    }

    static String name(DatapathId dpid) {
        return String.format("%016x", dpid.getLong());
    }

    void putGateway(DatapathId dpid, Gateway gateway) {
        if (gateway.tunnelAddress() == null || !IPV4.matcher(gateway.tunnelAddress()).matches()) {
            throw ApiException.invalid("tunnelAddress", "an IPv4 address, e.g. 10.0.0.1");
        }
        checkPort("vxlanPort", gateway.vxlanPort());
        String path = "/switches/" + name(dpid) + "/gateway";
        try {
            try {
                zk.setData().forPath(path, ZkJson.write(gateway));
            } catch (KeeperException.NoNodeException e) {
                zk.create().creatingParentsIfNeeded().forPath(path, ZkJson.write(gateway));
            }
        } catch (Exception e) {
            throw ApiException.unavailable("cannot store the gateway of " + name(dpid) + ": " + e.getMessage());
        }
    }

    Optional<Gateway> gateway(DatapathId dpid) {
        return read("/switches/" + name(dpid) + "/gateway", Gateway.class);
    }

    Attachment attach(DatapathId dpid, String name, Integer port, String overlay) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.invalid("name", "1-41 lowercase letters, digits and '-', starting with a letter or digit");
        }
        if (port == null) {
            throw ApiException.invalid("port", "required: the VM's OpenFlow port number on the bridge");
        }
        checkPort("port", port);
        if (overlay == null || overlay.isBlank()) {
            throw ApiException.invalid("overlay", "required: the name of an overlay");
        }
        if (gateway(dpid).filter(g -> g.vxlanPort() == port).isPresent()) {
            throw ApiException.conflict("port", "port " + port + " is the bridge's VXLAN port");
        }
        for (Attachment a : all()) {
            if (a.name().equals(name)) {
                throw ApiException.conflict("name", "a VM named " + name + " is already attached (to "
                        + a.dpid() + " port " + a.port() + ")");
            }
            if (a.dpid().equals(name(dpid)) && a.port() == port) {
                throw ApiException.conflict("port", "port " + port + " of " + a.dpid() + " already has VM " + a.name());
            }
        }
        String memberId = "vm-" + name;
        Member member;
        try {
            member = allocator.allocate(overlay, memberId);
        } catch (OverlayException e) {
            throw switch (e.reason()) {
                case NOT_FOUND -> ApiException.notFound(e.getMessage());
                case POOL_EXHAUSTED -> ApiException.conflict("overlay", e.getMessage());
                case INVALID -> ApiException.invalid("overlay", e.getMessage());
                default -> ApiException.unavailable(e.getMessage());
            };
        }
        Attachment a = new Attachment(name, name(dpid), port, overlay, memberId, member.address(), member.mac());
        try {
            zk.create().creatingParentsIfNeeded().forPath("/vm-attachments/" + name, ZkJson.write(a));
        } catch (KeeperException.NodeExistsException raced) {
            throw ApiException.conflict("name", "a VM named " + name + " was attached concurrently");
        } catch (Exception e) {
            allocator.release(overlay, memberId);
            throw ApiException.unavailable("cannot store the attachment: " + e.getMessage());
        }
        return a;
    }

    /** Detaches the VM and gives its address back; empty when there was no such attachment. */
    Optional<Attachment> detach(String name) {
        Optional<Attachment> a = read("/vm-attachments/" + name, Attachment.class);
        if (a.isEmpty()) {
            return a;
        }
        try {
            zk.delete().forPath("/vm-attachments/" + name);
        } catch (KeeperException.NoNodeException gone) {
            return Optional.empty();
        } catch (Exception e) {
            throw ApiException.unavailable("cannot delete the attachment: " + e.getMessage());
        }
        try {
            allocator.release(a.get().overlay(), a.get().memberId());
        } catch (OverlayException overlayGone) {
            // the overlay was deleted with its allocations
        }
        return a;
    }

    Optional<Attachment> attachment(String name) {
        return NAME.matcher(name).matches() ? read("/vm-attachments/" + name, Attachment.class) : Optional.empty();
    }

    List<Attachment> all() {
        List<Attachment> all = new ArrayList<>();
        try {
            for (String child : zk.getChildren().forPath("/vm-attachments")) {
                read("/vm-attachments/" + child, Attachment.class).ifPresent(all::add);
            }
        } catch (KeeperException.NoNodeException none) {
            return all;
        } catch (Exception e) {
            throw ApiException.unavailable("cannot list VM attachments: " + e.getMessage());
        }
        all.sort(Comparator.comparing(Attachment::name));
        return all;
    }

    List<Attachment> attachments(DatapathId dpid) {
        return all().stream().filter(a -> a.dpid().equals(name(dpid))).toList();
    }

    /** A node's VXLAN endpoint address, from {@code /nodes/<id>/underlay} ({"address": ...}); empty if unknown. */
    Optional<String> underlay(String nodeId) {
        return read("/nodes/" + nodeId + "/underlay", Map.class).map(m -> m.get("address"))
                .map(String::valueOf);
    }

    private <T> Optional<T> read(String path, Class<T> type) {
        try {
            return Optional.of(ZkJson.read(zk.getData().forPath(path), type));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw ApiException.unavailable("cannot read " + path + ": " + e.getMessage());
        }
    }

    private static void checkPort(String field, int port) {
        if (port < 1 || Integer.compareUnsigned(port, MAX_PORT) > 0) {
            throw ApiException.invalid(field, "an OpenFlow port number, 1 to 4294967040");
        }
    }
}
