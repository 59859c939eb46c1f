package io.civitas.bench;

/** One blocking request-response: sends {@code payload} and returns what came back. */
@FunctionalInterface
interface RoundTrip {
    String call(String payload) throws Exception;
}
