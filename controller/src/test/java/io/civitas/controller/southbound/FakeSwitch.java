package io.civitas.controller.southbound;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFRoleRequest;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * A scripted switch on a plain socket, for what real OVS will not do: stall in the handshake, claim another
 * switch's datapath id, send malformed bytes. With {@code answer} it completes the handshake like a switch.
 */
final class FakeSwitch implements AutoCloseable {

    private static final OFFactory OF = OFChannelHandler.FACTORY;
    final BlockingQueue<OFMessage> received = new LinkedBlockingQueue<>();
    /** Every frame as bytes, parsed or not. */
    final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    private final Socket socket;
    private final OutputStream out;
    private final long dpid;
    private final boolean answer;
    volatile boolean closedByController;

    FakeSwitch(int port, long dpid, boolean answer) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        this.out = socket.getOutputStream();
        this.dpid = dpid;
        this.answer = answer;
        Thread reader = new Thread(this::read, "fake-switch-" + dpid);
        reader.setDaemon(true);
        reader.start();
    }

    void send(OFMessage m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        m.writeTo(b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        sendRaw(bytes);
    }

    synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void hello() throws IOException {
        send(OF.buildHello().setXid(1).setElements(List.of(OF.buildHelloElemVersionbitmap()
                .setBitmaps(List.of(org.projectfloodlight.openflow.types.U32.of(1 << 4))).build())).build());
    }

    private void read() {
        try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
            while (true) {
                byte[] header = new byte[8];
                in.readFully(header);
                int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                byte[] frame = new byte[length];
                System.arraycopy(header, 0, frame, 0, 8);
                in.readFully(frame, 8, length - 8);
                frames.add(frame);
                OFMessage m;
                try {
                    m = OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(frame));
                } catch (Exception unparsed) {
                    if (answer && frame[1] == 4) { // an experimenter message (ONF bundles): not supported here
                        long xid = ((frame[4] & 0xffL) << 24) | ((frame[5] & 0xff) << 16) | ((frame[6] & 0xff) << 8)
                                | (frame[7] & 0xff);
                        refuseExperimenter(xid);
                    }
                    continue;
                }
                received.add(m);
                if (answer) {
                    respond(m);
                }
            }
        } catch (Exception e) {
            closedByController = true;
        }
    }

    private void respond(OFMessage m) throws IOException {
        long xid = m.getXid();
        switch (m.getType()) {
            case FEATURES_REQUEST -> send(OF.buildFeaturesReply().setXid(xid).setDatapathId(DatapathId.of(dpid))
                    .setNBuffers(0).setNTables((short) 254).build());
            case STATS_REQUEST -> {
                String kind = m.getClass().getSimpleName();
                if (kind.contains("PortDesc")) {
                    send(OF.buildPortDescStatsReply().setXid(xid).setEntries(List.of()).build());
                } else if (kind.contains("Group")) {
                    send(OF.buildGroupDescStatsReply().setXid(xid).setEntries(List.of()).build());
                } else if (kind.contains("Flow")) {
                    send(OF.buildFlowStatsReply().setXid(xid).setEntries(List.of()).build());
                } else if (kind.contains("Desc")) {
                    send(OF.buildDescStatsReply().setXid(xid).setMfrDesc("fake").setSwDesc("fake")
                            .setHwDesc("fake").setSerialNum("0").setDpDesc("fake").build());
                }
            }
            case GET_CONFIG_REQUEST -> send(OF.buildGetConfigReply().setXid(xid).setMissSendLen(0xffff).build());
            case ROLE_REQUEST -> {
                OFRoleRequest r = (OFRoleRequest) m;
                send(OF.buildRoleReply().setXid(xid).setRole(r.getRole()).setGenerationId(r.getGenerationId())
                        .build());
            }
            case ECHO_REQUEST -> send(OF.buildEchoReply().setXid(xid).setData(((OFEchoRequest) m).getData()).build());
            case BARRIER_REQUEST -> send(OF.buildBarrierReply().setXid(xid).build());
            case EXPERIMENTER -> refuseExperimenter(xid);
            default -> { }
        }
    }

    /** Like a switch without ONF bundles. */
    private void refuseExperimenter(long xid) throws IOException {
        send(OF.errorMsgs().buildBadRequestErrorMsg().setXid(xid)
                .setCode(org.projectfloodlight.openflow.protocol.OFBadRequestCode.BAD_EXPERIMENTER)
                .setData(org.projectfloodlight.openflow.types.OFErrorCauseData.of(new byte[0],
                        org.projectfloodlight.openflow.protocol.OFVersion.OF_13)).build());
    }

    boolean isClosedByController() {
        return closedByController;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
