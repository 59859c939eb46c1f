package io.civitas.controller.southbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortStatus;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One ACTIVE switch connection: what the handshake learned (features, ports, description), the role the switch
 * confirmed, and requests matched to their replies by xid. Thread-safe: replies complete futures on the
 * channel's event loop, so callers must not block inside a completion stage that runs there.
 */
public final class OpenFlowSwitch {

    private static final int RECENT_ERRORS = 20;
    private static final int WRITE_BATCH = 512;

    private final Channel channel;
    private final OFFactory factory;
    private final OFFeaturesReply features;
    private final OFDescStatsReply desc;
    private final Map<OFPort, OFPortDesc> ports = new ConcurrentSkipListMap<>();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong xids;
    private final AtomicLong bundleIds = new AtomicLong(1);
    private final Deque<String> recentErrors = new ArrayDeque<>();
    private final Instant connectedAt = Instant.now();
    private final Duration requestTimeout;
    private volatile Role role = Role.UNKNOWN;
    private volatile long generationId = -1;
    private volatile long lastReceivedNanos = System.nanoTime();

    /** Replies collected for one xid (multipart replies until the last part). */
    private static final class Pending {
        final CompletableFuture<List<OFMessage>> future = new CompletableFuture<>();
        final List<OFMessage> parts = new ArrayList<>();
    }

    OpenFlowSwitch(Channel channel, OFFactory factory, OFFeaturesReply features, List<OFPortDesc> ports,
                   OFDescStatsReply desc, long nextXid, Duration requestTimeout) {
        this.channel = channel;
        this.factory = factory;
        this.features = features;
        this.desc = desc;
        this.xids = new AtomicLong(nextXid);
        this.requestTimeout = requestTimeout;
        ports.forEach(p -> this.ports.put(p.getPortNo(), p));
    }

    public DatapathId dpid() {
        return features.getDatapathId();
    }

    public OFFactory factory() {
        return factory;
    }

    public OFFeaturesReply features() {
        return features;
    }

    public OFDescStatsReply description() {
        return desc;
    }

    public List<OFPortDesc> ports() {
        return List.copyOf(ports.values());
    }

    public Role role() {
        return role;
    }

    public long generationId() {
        return generationId;
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }

    public boolean isConnected() {
        return channel.isActive();
    }

    /** ERROR messages the switch sent that answered no pending request (e.g. a refused FlowMod), newest last. */
    public List<String> recentErrors() {
        synchronized (recentErrors) {
            return List.copyOf(recentErrors);
        }
    }

    long nextXid() {
        return xids.getAndIncrement() & 0xffffffffL;
    }

    long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    void disconnect() {
        channel.close();
    }

    /** Sends without waiting for anything; the switch answers a failure with an ERROR (see recentErrors). */
    public void send(OFMessage message) {
        channel.writeAndFlush(message.createBuilder().setXid(nextXid()).build());
    }

    /** Sends and completes with the reply (all parts of a multipart reply), or fails with the switch's ERROR. */
    public CompletableFuture<List<OFMessage>> request(OFMessage message) {
        long xid = nextXid();
        return request(xid, message.createBuilder().setXid(xid).build());
    }

    private CompletableFuture<List<OFMessage>> request(long xid, Object wire) {
        Pending p = new Pending();
        pending.put(xid, p);
        p.future.whenComplete((r, e) -> pending.remove(xid));
        channel.writeAndFlush(wire).addListener(f -> {
            if (!f.isSuccess()) {
                p.future.completeExceptionally(new OpenFlowException("cannot write to " + dpid() + ": "
                        + f.cause(), null));
            }
        });
        return p.future.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes when the switch has processed everything sent before it. */
    public CompletableFuture<Void> barrier() {
        return request(factory.buildBarrierRequest().build()).thenApply(r -> null);
    }

    /** Asks the switch for {@code role} with {@code generationId}; completes with the role the switch confirms. */
    public CompletableFuture<Role> requestRole(Role wanted, long generation) {
        OFControllerRole ofRole = switch (wanted) {
            case MASTER -> OFControllerRole.ROLE_MASTER;
            case SLAVE -> OFControllerRole.ROLE_SLAVE;
            case EQUAL -> OFControllerRole.ROLE_EQUAL;
            case UNKNOWN -> OFControllerRole.ROLE_NOCHANGE;
        };
        return request(factory.buildRoleRequest().setRole(ofRole).setGenerationId(U64.of(generation)).build())
                .thenApply(replies -> {
                    OFRoleReply reply = (OFRoleReply) replies.get(0);
                    Role confirmed = switch (reply.getRole()) {
                        case ROLE_MASTER -> Role.MASTER;
                        case ROLE_SLAVE -> Role.SLAVE;
                        case ROLE_EQUAL -> Role.EQUAL;
                        default -> Role.UNKNOWN;
                    };
                    this.role = confirmed;
                    this.generationId = reply.getGenerationId().getValue();
                    return confirmed;
                });
    }

    /**
     * Asks the switch, changing nothing, for this controller's role and the largest generation id it has seen
     * (ROLE_REQUEST NOCHANGE); completes with that generation id.
     */
    public CompletableFuture<Long> switchGeneration() {
        return requestRole(Role.UNKNOWN, 0).thenApply(role -> generationId);
    }

    /** Marks the role lost without asking the switch (it refused us as stale, or mastership moved on). */
    void demoted() {
        this.role = Role.SLAVE;
    }

    /** Every flow in every table. */
    public CompletableFuture<List<OFFlowStatsEntry>> flows() {
        return request(factory.buildFlowStatsRequest().setTableId(TableId.ALL).setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY).setCookie(U64.ZERO).setCookieMask(U64.ZERO)
                .setMatch(factory.buildMatch().build()).build())
                .thenApply(parts -> parts.stream().flatMap(m -> ((OFFlowStatsReply) m).getEntries().stream())
                        .toList());
    }

    /** Every group. */
    public CompletableFuture<List<OFGroupDescStatsEntry>> groups() {
        return request(factory.buildGroupDescStatsRequest().build())
                .thenApply(parts -> parts.stream().flatMap(m -> ((OFGroupDescStatsReply) m).getEntries().stream())
                        .toList());
    }

    /**
     * Applies {@code messages} in one atomic, ordered bundle (the ONF extension for OpenFlow 1.3): all or none.
     * Completes after COMMIT_REPLY; fails with the switch's ERROR (nothing applied).
     */
    public CompletableFuture<Void> bundle(List<? extends OFMessage> messages) {
        long bundleId = bundleIds.getAndIncrement();
        int flags = OnfBundles.FLAG_ATOMIC | OnfBundles.FLAG_ORDERED;
        long openXid = nextXid();
        // The messages go only once the switch has opened the bundle: a switch without bundles refuses the
        // OPEN, and is not sent thousands of messages it would refuse one by one.
        return request(openXid, OnfBundles.control(openXid, bundleId, OnfBundles.OPEN_REQUEST, flags))
                .thenComposeAsync(opened -> {
                    ByteBuf batch = Unpooled.buffer();
                    int inBatch = 0;
                    for (OFMessage m : messages) {
                        long xid = nextXid();
                        OnfBundles.add(xid, bundleId, flags, m.createBuilder().setXid(xid).build(), batch);
                        if (++inBatch == WRITE_BATCH) {
                            channel.writeAndFlush(batch);
                            batch = Unpooled.buffer();
                            inBatch = 0;
                        }
                    }
                    if (inBatch > 0) {
                        channel.write(batch);
                    } else {
                        batch.release();
                    }
                    long commitXid = nextXid();
                    return request(commitXid, OnfBundles.control(commitXid, bundleId, OnfBundles.COMMIT_REQUEST,
                            flags));
                })
                .thenApply(committed -> null);
    }

    /** Sends {@code messages} pipelined in large writes, then a barrier: for switches without bundles. */
    public CompletableFuture<Void> sendAll(List<? extends OFMessage> messages) {
        int n = 0;
        for (OFMessage m : messages) {
            channel.write(m.createBuilder().setXid(nextXid()).build());
            if (++n % WRITE_BATCH == 0) {
                channel.flush();
            }
        }
        return barrier();
    }

    /** Everything the switch sends once ACTIVE passes here first; true when it answered a pending request. */
    boolean onMessage(Object message) {
        lastReceivedNanos = System.nanoTime();
        if (message instanceof OnfBundles.Reply reply) {
            Pending p = pending.get(reply.xid());
            if (p != null) {
                p.future.complete(List.of());
            }
            return true;
        }
        OFMessage m = (OFMessage) message;
        if (m.getType() == OFType.PORT_STATUS) {
            OFPortStatus status = (OFPortStatus) m;
            switch (status.getReason()) {
                case DELETE -> ports.remove(status.getDesc().getPortNo());
                default -> ports.put(status.getDesc().getPortNo(), status.getDesc());
            }
            return false;
        }
        Pending p = pending.get(m.getXid());
        if (p == null) {
            if (m instanceof OFErrorMsg error) {
                remember(error.toString());
            }
            return false;
        }
        if (m instanceof OFErrorMsg error) {
            p.future.completeExceptionally(new OpenFlowException(dpid() + " refused: " + error, error));
        } else if (m instanceof OFStatsReply stats) {
            p.parts.add(m);
            if (!stats.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
                p.future.complete(List.copyOf(p.parts));
            }
        } else {
            p.future.complete(List.of(m));
        }
        return true;
    }

    void disconnected() {
        pending.values().forEach(p -> p.future.completeExceptionally(
                new OpenFlowException(dpid() + " disconnected", null)));
    }

    private void remember(String error) {
        synchronized (recentErrors) {
            if (recentErrors.size() == RECENT_ERRORS) {
                recentErrors.removeFirst();
            }
            recentErrors.addLast(Instant.now() + " " + error);
        }
    }

    @Override
    public String toString() {
        return "switch " + dpid() + " at " + remoteAddress();
    }
}
