package io.civitas.controller;

import io.civitas.controller.agent.AgentChannel;
import io.civitas.controller.agent.AgentUnreachableException;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Agents as the tests want them: a node is ready when the test says so, and a push answers what the
 * test's behaviour returns (by default: applied at once). Records pushes and disconnects.
 */
public class FakeAgentChannel implements AgentChannel {

    public record Push(String nodeId, long generation, long epoch, long atNanos) {}

    public final Set<String> ready = ConcurrentHashMap.newKeySet();
    public final List<Push> pushes = new CopyOnWriteArrayList<>();
    public final List<String> disconnects = new CopyOnWriteArrayList<>();
    private volatile Function<DesiredState, CompletableFuture<AppliedState>> behaviour = FakeAgentChannel::appliesAtOnce;

    public static CompletableFuture<AppliedState> appliesAtOnce(DesiredState desired) {
        return CompletableFuture.completedFuture(
                new AppliedState(desired.nodeId(), desired.generation(), System.currentTimeMillis()));
    }

    public void behave(Function<DesiredState, CompletableFuture<AppliedState>> behaviour) {
        this.behaviour = behaviour;
    }

    public List<Push> pushesTo(String nodeId) {
        return pushes.stream().filter(p -> p.nodeId().equals(nodeId)).toList();
    }

    @Override
    public CompletableFuture<AppliedState> apply(String nodeId, DesiredState desired, long epoch) {
        pushes.add(new Push(nodeId, desired.generation(), epoch, System.nanoTime()));
        if (!ready.contains(nodeId)) {
            return CompletableFuture.failedFuture(new AgentUnreachableException(nodeId));
        }
        return behaviour.apply(desired);
    }

    @Override
    public CompletableFuture<String> ping(String nodeId, String payload) {
        return ready.contains(nodeId) ? CompletableFuture.completedFuture(payload)
                : CompletableFuture.failedFuture(new AgentUnreachableException(nodeId));
    }

    @Override
    public boolean isReady(String nodeId) {
        return ready.contains(nodeId);
    }

    @Override
    public void disconnect(String nodeId, String reason) {
        disconnects.add(nodeId);
        ready.remove(nodeId);
    }
}
