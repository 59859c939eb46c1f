package io.civitas.controller.southbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * Fuzz of the decoder (jqwik): valid OpenFlow 1.3 messages with bytes flipped, bodies truncated or extended
 * (with the length field kept consistent, so framing holds), and plain random frames. Whatever the bytes, the
 * decoder never throws past itself: each frame becomes a message or an {@code Unparsed}, and a good message
 * that follows the bad one is still read. Only a header whose length is below 8 ends the stream.
 */
class OFFrameDecoderFuzzTest {

    private static final OFFactory OF = OFChannelHandler.FACTORY;
    private static final List<byte[]> SEEDS = seeds();

    private static List<byte[]> seeds() {
        List<OFMessage> messages = List.of(
                OF.buildHello().setXid(1).setElements(List.of(OF.buildHelloElemVersionbitmap()
                        .setBitmaps(List.of(org.projectfloodlight.openflow.types.U32.of(16))).build())).build(),
                OpenFlowOvsTest.flow(1, 2, 100),
                OF.buildPacketIn().setXid(3).setReason(org.projectfloodlight.openflow.protocol.OFPacketInReason.NO_MATCH)
                        .setBufferId(org.projectfloodlight.openflow.types.OFBufferId.NO_BUFFER).setTotalLen(14)
                        .setTableId(org.projectfloodlight.openflow.types.TableId.of(0)).setCookie(U64.ZERO)
                        .setMatch(OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(3)).build())
                        .setData(new byte[14]).build(),
                OF.buildPortStatus().setXid(4).setReason(OFPortReason.MODIFY).setDesc(OF.buildPortDesc()
                        .setPortNo(OFPort.of(9)).setName("p9")
                        .setHwAddr(org.projectfloodlight.openflow.types.MacAddress.of("02:00:00:00:00:09")).build())
                        .build(),
                OF.buildFlowStatsRequest().setXid(5).setMatch(OF.buildMatch()
                        .setExact(MatchField.ETH_TYPE, EthType.ARP).build()).build(),
                OF.buildEchoRequest().setXid(6).setData(new byte[] {1, 2}).build());
        List<byte[]> out = new ArrayList<>();
        for (OFMessage m : messages) {
            ByteBuf b = Unpooled.buffer();
            m.writeTo(b);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            out.add(bytes);
        }
        return out;
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.integers().between(0, SEEDS.size() - 1),
                Arbitraries.integers().between(0, 1 << 16).list().ofMaxSize(8),
                Arbitraries.integers().between(-64, 32)).as((seed, flips, resize) -> {
                    byte[] base = SEEDS.get(seed);
                    int length = Math.max(8, base.length + resize);
                    byte[] f = java.util.Arrays.copyOf(base, length);
                    for (int flip : flips) {
                        int at = flip % length;
                        if (at == 2 || at == 3) {
                            continue; // keep framing: the length field is what the fuzz does not touch
                        }
                        f[at] ^= (byte) (1 << (flip >> 13 & 7));
                    }
                    return f;
                });
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(8).ofMaxSize(300)
                .map(f -> {
                    f[0] = 4; // mostly OpenFlow 1.3, so the type-specific parsers are reached
                    return f;
                });
        return Arbitraries.oneOf(mutated, random).map(f -> {
            f[2] = (byte) (f.length >> 8);
            f[3] = (byte) f.length;
            return f;
        });
    }

    @Property(tries = 3000)
    void anyWellFramedBytesAreAMessageOrDroppedAndTheStreamGoesOn(@ForAll("frames") byte[] frame) {
        EmbeddedChannel channel = new EmbeddedChannel(new OFFrameDecoder());
        OFEchoRequest good = OF.buildEchoRequest().setXid(77).setData(new byte[] {7}).build();
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(frame);
        good.writeTo(in);
        // Byte by byte for some frames: framing must hold across partial reads.
        if ((frame.length & 1) == 0) {
            channel.writeInbound(in);
        } else {
            while (in.isReadable()) {
                channel.writeInbound(in.readRetainedSlice(Math.min(7, in.readableBytes())));
            }
            in.release();
        }
        Object first = channel.readInbound();
        Object second = channel.readInbound();
        assertThat(first).isInstanceOfAny(OFMessage.class, OFFrameDecoder.Unparsed.class, OnfBundles.Reply.class);
        assertThat(second).isEqualTo(good);
        assertThat((Object) channel.readInbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Property(tries = 200)
    void aHeaderShorterThanItselfEndsTheStreamWithAFramingError(@ForAll("frames") byte[] frame) {
        frame[2] = 0;
        frame[3] = (byte) (frame[3] & 7);
        EmbeddedChannel channel = new EmbeddedChannel(new OFFrameDecoder());
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(frame));
            throw new AssertionError("no framing error for length " + frame[3]);
        } catch (DecoderException e) {
            assertThat(e).isInstanceOf(CorruptedFrameException.class);
        }
        channel.finishAndReleaseAll();
    }
}
