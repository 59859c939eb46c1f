package io.civitas.overlay;

import io.civitas.protocol.OverlayPlan;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * VXLAN in this process, for nodes whose kernel has no vxlan module and for nodes behind NAT. Per overlay a TAP
 * device {@code cv-tap-VNI} (made through /dev/net/tun, non-persistent) holds the node's overlay MAC, MTU, address
 * and permanent neighbour entries (set with iproute2); frames read from it are encapsulated per RFC 7348 and sent
 * to the VTEP the plan's static FDB gives for the destination MAC, or to every flood entry (head-end replication)
 * for broadcast, multicast and unknown unicast. One UDP socket per local VTEP endpoint ({@code localVtep:localPort})
 * serves all overlays that share it; received packets are checked (flags, VNI, a sender the overlay knows: a peer
 * VTEP address or the relay) and their frames written to the VNI's TAP. On the wire it is the kernel vxlan device's
 * format, so kernel and userspace nodes are peers of one overlay.
 *
 * <p>A plan with a relay (the node is behind NAT) also gets a {@link Keepalive} to the relay at once and then every
 * {@code keepaliveInterval}, from the same socket, so the NAT mapping the relay answers through stays open.
 *
 * <p>{@link #apply} is idempotent: an existing overlay keeps its TAP and socket and gets its table swapped in
 * place; MAC, MTU, address and neighbours are written only where they differ. {@link #remove} closes the TAP (the
 * kernel deletes the device) and the socket when no overlay uses it any more. The devices live as long as this
 * object (this process): after a restart the agent applies its plans again and they are made anew.
 * {@link #installed} lists the overlays this object holds whose TAP is still there; one deleted by someone else
 * drops out of it, and the next apply makes it again. Apply and remove are serialised; forwarding runs on
 * daemon threads (one reader per TAP, one receiver per socket). Needs root (CAP_NET_ADMIN; CAP_SYS_ADMIN with a
 * namespace).
 *
 * <p>Limits: the UDP source port is the socket's own (not the per-flow hash of RFC 7348 section 5), so the
 * underlay's ECMP sees one flow per node pair; no IPv6 underlay; a kernel vxlan device that is up on the same node
 * holds UDP 4789 for all addresses, so userspace overlays next to kernel ones need another {@code localPort}.
 */
public final class UserspaceDatapath implements Datapath, AutoCloseable {

    /** Counters since start: datagrams sent (keepalives apart), frames delivered to TAPs, drops, keepalives sent. */
    public record Counters(long sent, long received, long dropped, long keepalives) {}

    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger(UserspaceDatapath.class.getName());

    private final String netns;
    private final KernelDevices devices;
    private final Map<Integer, OverlayPort> ports = new HashMap<>();
    private final Map<InetSocketAddress, VtepSocket> sockets = new HashMap<>();
    private final DatapathCounters counters = new DatapathCounters();
    private final ExecutorService pool;
    private final ScheduledExecutorService keepalives;
    private boolean closed;

    /** In this process's network namespace. */
    public UserspaceDatapath() {
        this(null, DEFAULT_KEEPALIVE);
    }

    /**
     * @param netns a network namespace ({@code /var/run/netns/NAME}) to make the devices and sockets in, or null
     * @param keepaliveInterval how often a node behind NAT refreshes its mapping at the relay
     */
    public UserspaceDatapath(String netns, Duration keepaliveInterval) {
        this.netns = netns;
        this.devices = new KernelDevices(new Shell(netns));
        String label = netns == null ? "cv-userspace" : "cv-userspace-" + netns;
        this.pool = Executors.newCachedThreadPool(daemons(label));
        this.keepalives = Executors.newSingleThreadScheduledExecutor(daemons(label + "-keepalive"));
        long millis = keepaliveInterval.toMillis();
        keepalives.scheduleAtFixedRate(this::sendKeepalives, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void apply(OverlayPlan plan) {
        if (closed) {
            throw new IllegalStateException("userspace datapath is closed");
        }
        Forwarding table = Forwarding.of(plan);
        long mac = Vxlan.parseMac(plan.mac());
        InetSocketAddress local = Forwarding.endpoint(plan.localVtep(), plan.localPort());
        OverlayPort port = ports.get(plan.vni());
        if (port != null && !port.alive()) {
            remove(plan.vni()); // its TAP was deleted behind our back: make it again
            port = null;
        }
        boolean created = port == null;
        try {
            if (created) {
                port = new OverlayPort(plan.vni(), TapDevice.open(DeviceNames.tap(plan.vni()), netns), counters);
            }
            configureTap(plan);
            VtepSocket socket = sockets.get(local);
            if (socket == null) {
                socket = VtepSocket.open(local, netns, counters, pool);
                sockets.put(local, socket);
            }
            VtepSocket previous = port.socket();
            port.update(table, socket, mac);
            socket.attach(port);
            if (previous != null && previous != socket) {
                previous.detach(plan.vni());
                closeIfUnused(previous);
            }
            if (created) {
                ports.put(plan.vni(), port);
                port.start(pool);
            }
        } catch (RuntimeException e) {
            if (created && port != null) {
                port.close(); // the TAP vanishes with its descriptor
                sockets.values().removeIf(s -> {
                    boolean unused = s.unused();
                    if (unused) {
                        s.close();
                    }
                    return unused;
                });
            }
            throw new DatapathException("apply of overlay " + plan.overlay() + " (vni " + plan.vni()
                    + ") on the userspace datapath failed" + (created ? "; its TAP device was closed" : "")
                    + ": " + e.getMessage(), e);
        }
        if (plan.behindNat()) {
            port.keepalive(); // at once: the relay learns this node's public endpoint before the first frame
        }
    }

    private void configureTap(OverlayPlan plan) {
        String tap = DeviceNames.tap(plan.vni());
        devices.setMac(tap, plan.mac());
        devices.setMtu(tap, plan.mtu());
        devices.setUp(tap);
        OverlayInterface.ensureAddress(devices, tap, plan);
        OverlayInterface.ensureNeighbours(devices, tap, plan);
    }

    @Override
    public synchronized void remove(int vni) {
        OverlayPort port = ports.remove(vni);
        if (port == null) {
            return;
        }
        VtepSocket socket = port.socket();
        socket.detach(vni);
        port.close();
        closeIfUnused(socket);
    }

    @Override
    public synchronized Set<Integer> installed() {
        Set<Integer> vnis = new TreeSet<>();
        ports.forEach((vni, port) -> {
            if (port.alive()) {
                vnis.add(vni);
            }
        });
        return vnis;
    }

    /** The forwarding counters of all overlays of this datapath. */
    public Counters counters() {
        return counters.snapshot();
    }

    /** Removes every overlay (their TAP devices vanish) and stops the threads. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (Integer vni : Set.copyOf(ports.keySet())) {
            remove(vni);
        }
        closed = true;
        keepalives.shutdownNow();
        pool.shutdownNow();
    }

    private void closeIfUnused(VtepSocket socket) {
        if (socket.unused()) {
            sockets.remove(socket.local());
            socket.close();
        }
    }

    private synchronized void sendKeepalives() {
        try {
            for (OverlayPort port : ports.values()) {
                port.keepalive();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "keepalive failed: " + e.getMessage(), e);
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
