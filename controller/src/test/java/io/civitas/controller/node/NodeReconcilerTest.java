package io.civitas.controller.node;

import io.civitas.controller.ApiTestBase;
import io.civitas.controller.FakeAgentChannel;
import io.civitas.controller.agent.StaleEpochException;
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
    void anAgentThatRestartedEmptyIsPushedAgain() throws Exception {
        String id = readyNode("amnesiac");
        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);
        awaitApplied(id, 1);
        Thread.sleep(300); // a pass that read the reported mirror before it caught up may push once more
        int before = agents.pushesTo(id).size();

        agentEvents.helloReceived(id, 2, new AgentHello(id, 1, null, 0)); // it lost its state

        await().atMost(Duration.ofSeconds(5)).until(() -> agents.pushesTo(id).size() > before);
        awaitApplied(id, 1);
    }

    @Test
    void aPushCarriesTheEpochOfThisControllersMastershipOfTheNode() throws Exception {
        String id = readyNode("fenced");

        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);

        awaitApplied(id, 1);
        long epoch = zk.checkExists().forPath("/presence/" + id).getCzxid();
        assertThat(agents.pushesTo(id)).singleElement().satisfies(p -> assertThat(p.epoch()).isEqualTo(epoch));
    }

    @Test
    void aStaleEpochRefusalIsFinalUntilThisControllerHoldsANewerMastership() throws Exception {
        String id = readyNode("deposed");
        long epoch = zk.checkExists().forPath("/presence/" + id).getCzxid();
        // Another controller mastered the node after this one's record was made, and pushed.
        agents.behave(d -> d.nodeId().equals(id)
                ? CompletableFuture.failedFuture(new StaleEpochException(id, epoch + 1, epoch))
                : FakeAgentChannel.appliesAtOnce(d));

        api.put("/api/v1/nodes/" + id + "/desired", DESIRED);
        await().atMost(Duration.ofSeconds(5)).until(() -> agents.pushesTo(id).size() == 1);
        Thread.sleep(1_000); // backoff is 20-200 ms here: a retry loop would have pushed again by now

        assertThat(agents.pushesTo(id)).hasSize(1);
        assertThat(api.get("/api/v1/nodes/" + id).body().get("generationGap").asLong()).isEqualTo(1);

        // The agent comes back here: a new mastership record, a newer epoch; the push goes through with it.
        agents.behave(FakeAgentChannel::appliesAtOnce);
        agentEvents.sessionLeft(id, 1);
        agentEvents.sessionJoined(id, 2, "10.0.0.2:2");
        agentEvents.helloReceived(id, 2, new AgentHello(id, 1, null, 0));

        awaitApplied(id, 1);
        long newer = zk.checkExists().forPath("/presence/" + id).getCzxid();
        assertThat(newer).isGreaterThan(epoch);
        assertThat(agents.pushesTo(id).get(0).epoch()).isEqualTo(epoch);
        assertThat(agents.pushesTo(id).subList(1, agents.pushesTo(id).size()))
                .isNotEmpty().allSatisfy(p -> assertThat(p.epoch()).isEqualTo(newer));
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
