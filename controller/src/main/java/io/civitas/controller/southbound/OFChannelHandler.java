package io.civitas.controller.southbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFGetConfigReply;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElem;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFPortStatus;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One switch connection: the OpenFlow 1.3 handshake as an explicit {@link HandshakeState} machine
 * (HELLO with version negotiation, FEATURES, PORT_DESC, SET_CONFIG/GET_CONFIG, DESC, ACTIVE), echo keepalive,
 * and, once ACTIVE, dispatch of what the switch sends to {@link OpenFlowSwitch} (replies) and the
 * {@link SwitchRegistry}'s listeners (PORT_STATUS, PACKET_IN, FLOW_REMOVED, unsolicited ERROR).
 */
final class OFChannelHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(OFChannelHandler.class);
    /** The only version spoken: OpenFlow 1.3 (wire version 4). */
    static final OFFactory FACTORY = OFFactories.getFactory(OFVersion.OF_13);

    private final SwitchRegistry registry;
    private final Duration requestTimeout;
    private HandshakeState state = HandshakeState.WAIT_HELLO;
    private long xid = 1;
    private OFFeaturesReply features;
    private final List<OFPortDesc> ports = new ArrayList<>();
    private OpenFlowSwitch sw;

    OFChannelHandler(SwitchRegistry registry, Duration requestTimeout) {
        this.registry = registry;
        this.requestTimeout = requestTimeout;
    }

    HandshakeState state() {
        return state;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(FACTORY.buildHello().setXid(xid++).setElements(List.of(
                FACTORY.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(1 << 4))).build())).build());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof OFFrameDecoder.Unparsed bad) {
            unparsed(ctx, bad);
            return;
        }
        if (msg instanceof OFMessage m && answerEcho(ctx, m)) {
            return;
        }
        if (state == HandshakeState.ACTIVE) {
            active(msg);
            return;
        }
        if (!(msg instanceof OFMessage m)) {
            return;
        }
        if (m instanceof OFErrorMsg error) {
            log.warn("Switch at {} sent an error during the handshake ({}): {}; closing",
                    ctx.channel().remoteAddress(), state, error);
            ctx.close();
            return;
        }
        switch (state) {
            case WAIT_HELLO -> hello(ctx, m);
            case WAIT_FEATURES_REPLY -> featuresReply(ctx, m);
            case WAIT_PORT_DESC -> portDesc(ctx, m);
            case WAIT_CONFIG_REPLY -> configReply(ctx, m);
            case WAIT_DESC -> descReply(ctx, m);
            default -> { }
        }
    }

    private void hello(ChannelHandlerContext ctx, OFMessage m) {
        if (!(m instanceof OFHello hello)) {
            unexpected(ctx, m);
            return;
        }
        if (!speaksOpenFlow13(hello)) {
            refuseVersion(ctx, "switch offers " + describe(hello) + "; this controller speaks OpenFlow 1.3 only");
            return;
        }
        ctx.writeAndFlush(FACTORY.buildFeaturesRequest().setXid(xid++).build());
        state = HandshakeState.WAIT_FEATURES_REPLY;
    }

    /** Version negotiation (OpenFlow 1.3 §6.3.1): by bitmap when both sides send one, else by the lower version. */
    static boolean speaksOpenFlow13(OFHello hello) {
        if (hello.getVersion().compareTo(OFVersion.OF_13) < 0) {
            return false; // no bitmap before 1.3.1, and the lower version wins
        }
        for (OFHelloElem e : hello.getElements()) {
            if (e instanceof OFHelloElemVersionbitmap bitmap && !bitmap.getBitmaps().isEmpty()) {
                return (bitmap.getBitmaps().get(0).getRaw() & (1 << 4)) != 0;
            }
        }
        return hello.getVersion().getWireVersion() >= OFVersion.OF_13.getWireVersion();
    }

    private void featuresReply(ChannelHandlerContext ctx, OFMessage m) {
        if (!(m instanceof OFFeaturesReply reply)) {
            unexpected(ctx, m);
            return;
        }
        features = reply;
        if (reply.getAuxiliaryId().getValue() != 0) {
            log.warn("Switch {} opened an auxiliary connection ({}); not supported, closing it",
                    reply.getDatapathId(), reply.getAuxiliaryId());
            ctx.close();
            return;
        }
        ctx.writeAndFlush(FACTORY.buildPortDescStatsRequest().setXid(xid++).build());
        state = HandshakeState.WAIT_PORT_DESC;
    }

    private void portDesc(ChannelHandlerContext ctx, OFMessage m) {
        if (!(m instanceof OFPortDescStatsReply reply)) {
            unexpected(ctx, m);
            return;
        }
        ports.addAll(reply.getEntries());
        if (reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
            return;
        }
        ctx.write(FACTORY.buildSetConfig().setXid(xid++).setFlags(Set.of()).setMissSendLen(0xffff).build());
        ctx.writeAndFlush(FACTORY.buildGetConfigRequest().setXid(xid++).build());
        state = HandshakeState.WAIT_CONFIG_REPLY;
    }

    private void configReply(ChannelHandlerContext ctx, OFMessage m) {
        if (!(m instanceof OFGetConfigReply)) {
            unexpected(ctx, m);
            return;
        }
        ctx.writeAndFlush(FACTORY.buildDescStatsRequest().setXid(xid++).build());
        state = HandshakeState.WAIT_DESC;
    }

    private void descReply(ChannelHandlerContext ctx, OFMessage m) {
        if (!(m instanceof OFDescStatsReply desc)) {
            unexpected(ctx, m);
            return;
        }
        OpenFlowSwitch candidate = new OpenFlowSwitch(ctx.channel(), FACTORY, features, ports, desc, xid,
                requestTimeout);
        if (!registry.admit(candidate)) {
            ctx.close();
            return;
        }
        sw = candidate;
        state = HandshakeState.ACTIVE;
        ctx.pipeline().fireUserEventTriggered(HandshakeTimeoutHandler.COMPLETE);
    }

    private void active(Object msg) {
        if (sw.onMessage(msg) || !(msg instanceof OFMessage m)) {
            return;
        }
        switch (m.getType()) {
            case PORT_STATUS -> registry.fire(l -> l.portChanged(sw, (OFPortStatus) m));
            case PACKET_IN -> registry.fire(l -> l.packetIn(sw, (OFPacketIn) m));
            case FLOW_REMOVED -> registry.fire(l -> l.flowRemoved(sw, (OFFlowRemoved) m));
            case ERROR -> log.warn("Switch {} reported: {}", sw.dpid(), m);
            case ECHO_REPLY, BARRIER_REPLY, ROLE_REPLY -> { }
            default -> log.debug("Switch {} sent {} unasked; ignored", sw.dpid(), m.getType());
        }
    }

    private boolean answerEcho(ChannelHandlerContext ctx, OFMessage m) {
        if (m instanceof OFEchoRequest echo) {
            ctx.writeAndFlush(FACTORY.buildEchoReply().setXid(echo.getXid()).setData(echo.getData()).build());
            return true;
        }
        return m.getType() == OFType.ECHO_REPLY && state != HandshakeState.ACTIVE;
    }

    private void unparsed(ChannelHandlerContext ctx, OFFrameDecoder.Unparsed bad) {
        if (state == HandshakeState.WAIT_HELLO && bad.version() != OFVersion.OF_13.getWireVersion()) {
            refuseVersion(ctx, "its HELLO has wire version " + bad.version() + ", which openflowj cannot read");
            return;
        }
        log.warn("Dropped an OpenFlow message from {} that does not parse (version {}, type {}, xid {}, {} bytes): {}",
                sw != null ? sw.dpid() : ctx.channel().remoteAddress(), bad.version(), bad.type(), bad.xid(),
                bad.length(), bad.reason());
    }

    private void refuseVersion(ChannelHandlerContext ctx, String why) {
        log.warn("Refusing switch at {}: {}", ctx.channel().remoteAddress(), why);
        OFHelloFailedErrorMsg error = FACTORY.errorMsgs().buildHelloFailedErrorMsg().setXid(xid++)
                .setCode(OFHelloFailedCode.INCOMPATIBLE)
                .setData(OFErrorCauseData.of(why.getBytes(StandardCharsets.US_ASCII), OFVersion.OF_13)).build();
        ctx.writeAndFlush(error).addListener(f -> ctx.close());
    }

    private void unexpected(ChannelHandlerContext ctx, OFMessage m) {
        log.debug("Switch at {} sent {} in handshake state {}; ignored", ctx.channel().remoteAddress(),
                m.getType(), state);
    }

    private static String describe(OFHello hello) {
        return hello.getVersion().compareTo(OFVersion.OF_13) < 0 ? hello.getVersion().toString()
                : hello.getVersion() + " " + hello.getElements();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                log.warn("Switch {} silent for three echo intervals; disconnecting",
                        sw != null ? sw.dpid() : ctx.channel().remoteAddress());
                ctx.close();
            } else if (idle.state() == IdleState.ALL_IDLE) {
                ctx.writeAndFlush(FACTORY.buildEchoRequest().setXid(sw != null ? sw.nextXid() : xid++).setData(new byte[0]).build());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sw != null) {
            registry.remove(sw);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && (cause.getCause() instanceof javax.net.ssl.SSLException
                || cause instanceof io.netty.handler.ssl.NotSslRecordException)) {
            log.warn("Closing connection from {}: TLS handshake failed: {}", ctx.channel().remoteAddress(),
                    cause.getMessage());
        } else if (cause instanceof DecoderException) {
            log.warn("Closing connection from {}: the OpenFlow byte stream cannot be framed: {}",
                    ctx.channel().remoteAddress(), cause.getMessage());
        } else {
            log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
