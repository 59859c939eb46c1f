package io.civitas.overlay;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** Overlay <-> znode bytes, as plain "key=value" lines a human can read with zkCli. */
final class OverlayCodec {

    private OverlayCodec() {}

    static byte[] encode(Overlay o) {
        String text = "name=" + o.name() + "\nvni=" + o.vni() + "\ncidr=" + o.cidr() + "\nmtu=" + o.mtu() + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Overlay decode(byte[] data) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(data, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
        return new Overlay(p.getProperty("name"), Integer.parseInt(p.getProperty("vni")), p.getProperty("cidr"),
                Integer.parseInt(p.getProperty("mtu")));
    }
}
