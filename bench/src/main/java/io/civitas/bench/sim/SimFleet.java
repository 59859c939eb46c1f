package io.civitas.bench.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Many {@link SimAgent}s on one small Netty event loop group. */
public final class SimFleet implements AutoCloseable {

    private final EventLoopGroup group;
    private final ObjectMapper json = new ObjectMapper();
    private final List<SimAgent> agents = Collections.synchronizedList(new ArrayList<>());

    public SimFleet(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /** Adds an agent that knows {@code wampUrls} and dials {@code wampUrls[first]} first, and starts it. */
    public SimAgent start(String nodeId, String secret, List<URI> wampUrls, int first) {
        SimAgent agent = new SimAgent(this, nodeId, secret, wampUrls, first);
        agents.add(agent);
        agent.connect();
        return agent;
    }

    public List<SimAgent> agents() {
        synchronized (agents) {
            return List.copyOf(agents);
        }
    }

    EventLoopGroup group() {
        return group;
    }

    ObjectMapper json() {
        return json;
    }

    @Override
    public void close() {
        agents().forEach(SimAgent::stop);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
