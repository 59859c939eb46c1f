package io.civitas.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log levels for the command-line entry points. Done in code rather than with a logback.xml in the jar,
 * so that applications embedding the agent library keep their own logging configuration.
 */
final class Logging {
    private Logging() {}

    static void configure(boolean verbose) {
        if (System.getProperty("logback.configurationFile") != null
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // the operator configured logging: respect it
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(verbose ? Level.DEBUG : Level.INFO);
        // Transport internals are noise at INFO; the agent logs what matters (joined, left, why).
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("ws.wamp").setLevel(Level.WARN);
    }
}
