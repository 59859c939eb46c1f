package io.civitas.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps the launcher's short options ({@code --port 8080 --data DIR --zookeeper h:p,...}) to Spring
 * properties, and passes Spring-style {@code --name=value} arguments through unchanged.
 */
final class CommandLine {

    static final String USAGE = """
            usage: java -jar controller.jar [--port P] [--data DIR] [--zookeeper HOST:PORT,...]
                                            [--wamp-port P] [--controller-id ID] [--relay-address IP]
                                            [--tls-certificate FILE --tls-private-key FILE]
                                            [--name=value ...]
              --port P            REST port (server.port, default 8080)
              --data DIR          data folder (civitas.data-dir, default ./.civitas/controller)
              --zookeeper H:P,..  external ZooKeeper ensemble (default: embedded, data in DIR/zookeeper)
              --wamp-port P       agent WebSocket port (civitas.wamp.port, default 8081)
              --controller-id ID  this controller's name in a cluster (default hostname:port)
              --relay-address IP  run the overlay relay for nodes behind NAT on IP, UDP port 4790
                                  (civitas.overlay.relay-address; default: no relay)
              --tls-certificate F PEM certificate chain: REST (https) and the agents' WebSocket (wss)
                                  speak TLS (server.ssl.certificate)
              --tls-private-key F its PEM private key (server.ssl.certificate-private-key)
              --name=value        any Spring or civitas.* property""";

    private static final Map<String, String> OPTIONS = Map.of(
            "--port", "server.port",
            "--data", "civitas.data-dir",
            "--zookeeper", "civitas.zookeeper",
            "--wamp-port", "civitas.wamp.port",
            "--controller-id", "civitas.controller-id",
            "--relay-address", "civitas.overlay.relay-address",
            "--tls-certificate", "server.ssl.certificate",
            "--tls-private-key", "server.ssl.certificate-private-key");

    private static final List<String> PORT_OPTIONS = List.of("--port", "--wamp-port");

    /** Thrown for {@code --help}: not an error. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help", null, false, false);
        }
    }

    private CommandLine() {}

    static String[] toSpringArgs(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested();
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String property = OPTIONS.get(name);
            if (property == null) {
                if (eq < 0) {
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
                out.add(arg); // --some.property=value: Spring's own syntax
                continue;
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (PORT_OPTIONS.contains(name)) {
                checkPort(name, value);
            }
            out.add("--" + property + "=" + value);
        }
        return out.toArray(String[]::new);
    }

    private static void checkPort(String name, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException(name + " needs a port number from 0 to 65535, not '" + value + "'");
    }
}
