package io.civitas.controller.node;

import io.civitas.controller.ApiTestBase;
import io.civitas.controller.FakeAgentChannel;
import io.civitas.protocol.AgentHello;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reconciler pushes desired state to agents that are behind, retries with backoff, and rests when done. */
class NodeReconcilerTest extends ApiTestBase {

    private static final String DESIRED = "{\"sampling\": [{\"sensor\": \"temperature\", \"periodMillis\": 1000}]}";

    @Autowired
    private ApplicationEventPublisher events;
    @Autowired
    private NodeStateStore states;

    @AfterEach
    void agentsBehaveAgain() {
        agents.behave(FakeAgentChannel::appliesAtOnce);
    }

    @Test
    void pushesTheDesiredStateToAnAgentThatIsBehindAndThenRests() throws Exception {
        String id = readyNode("behind");

        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);

        awaitApplied(id, 1);
        assertThat(api.get("/api/v1/nodes/" + id).body().get("generationGap").asLong()).isZero();
        assertThat(api.get("/api/v1/nodes/" + id + "/reported").body().get("appliedAt").asText()).isNotBlank();
        Thread.sleep(300);
        events.publishEvent(new NodeChanged(id)); // a spurious event: nothing to do
        Thread.sleep(300);
        assertThat(agents.pushesTo(id)).extracting(FakeAgentChannel.Push::generation).containsExactly(1L);
    }

    @Test
    void retriesWithBackoffAfterAFailedPushUntilItSucceeds() {
        String id = readyNode("flaky");
        AtomicInteger failuresLeft = new AtomicInteger(3);
        agents.behave(d -> d.nodeId().equals(id) && failuresLeft.getAndDecrement() > 0
                ? CompletableFuture.failedFuture(new IllegalStateException("agent busy"))
                : FakeAgentChannel.appliesAtOnce(d));

        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);

        // No event follows the PUT: only the reconciler's own retries can bring the 4th push.
        awaitApplied(id, 1);
        assertThat(agents.pushesTo(id)).hasSize(4).allSatisfy(p -> assertThat(p.generation()).isEqualTo(1));
    }

    @Test
    void aPushThatNeverAnswersTimesOutAndIsRetried() {
        String id = readyNode("silent");
        AtomicInteger silentLeft = new AtomicInteger(1);
        agents.behave(d -> d.nodeId().equals(id) && silentLeft.getAndDecrement() > 0
                ? new CompletableFuture<>() // never completes
                : FakeAgentChannel.appliesAtOnce(d));

        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/api/v1/nodes/" + id).body().get("appliedGeneration").asLong()).isEqualTo(1));
        assertThat(agents.pushesTo(id)).hasSize(2);
    }

    @Test
    void doesNotPushToANodeWithoutASessionHere() throws Exception {
        String id = createNode(uniqueName("away")).get("id").asText();

        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);
        Thread.sleep(500);

        assertThat(agents.pushesTo(id)).isEmpty();
        assertThat(api.get("/api/v1/nodes/" + id).body().get("generationGap").asLong()).isEqualTo(1);
    }

    @Test
    void anAgentThatRestartedEmptyIsPushedAgain() {
        String id = readyNode("amnesiac");
        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);
        awaitApplied(id, 1);

        agentEvents.helloReceived(id, 2, new AgentHello(id, 1, null, 0)); // it lost its state

        await().atMost(Duration.ofSeconds(5)).until(() -> agents.pushesTo(id).size() == 2);
        awaitApplied(id, 1);
    }

    @Test
    void aLateOlderAnswerNeverMovesTheAppliedGenerationBack() {
        String id = createNode(uniqueName("late")).get("id").asText();

        states.recordApplied(id, 3, 3_000);
        states.recordApplied(id, 2, 4_000);

        assertThat(states.reported(id).orElseThrow().appliedGeneration()).isEqualTo(3);
        assertThat(states.reported(id).orElseThrow().appliedAtMillis()).isEqualTo(3_000);
    }

    /** A node whose agent has joined here and said hello, applied nothing yet. */
    private String readyNode(String prefix) {
        String id = createNode(uniqueName(prefix)).get("id").asText();
        agents.ready.add(id);
        agentEvents.sessionJoined(id, 1, "10.0.0.2:1");
        agentEvents.helloReceived(id, 1, new AgentHello(id, 1, null, 0));
        return id;
    }

    private void awaitApplied(String id, long generation) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(api.get("/api/v1/nodes/" + id).body().get("appliedGeneration").asLong()).isEqualTo(generation));
    }
}
