package io.civitas.agent;

import io.civitas.protocol.AppliedState;
import io.civitas.protocol.DesiredState;
import io.civitas.protocol.SamplingDefaults;
import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.SensorReading;
import io.civitas.protocol.Sensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class DesiredStateApplierTest {
    private static final String NODE = "board_1";
    private static final Set<String> HARDWARE = Set.of(Sensors.PM25, Sensors.NO2, Sensors.TEMPERATURE);

    @TempDir
    Path stateDir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
    private final List<SensorReading> readings = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService executor;
    private SamplingScheduler sampling;
    private DesiredStateApplier applier;

    @BeforeEach
    void setUp() {
        executor = Executors.newSingleThreadScheduledExecutor();
        sampling = new SamplingScheduler(NODE, executor, new SimulatedSensors(new Random(1)), readings::add, clock);
        applier = new DesiredStateApplier(NODE, HARDWARE, sampling, stateDir, clock);
    }

    @AfterEach
    void tearDown() {
        sampling.close();
        executor.shutdownNow();
    }

    private static DesiredState desired(long generation, Map<String, String> labels, SamplingPlan... plan) {
        return new DesiredState(NODE, generation, labels, List.of(plan));
    }

    @Test
    void applyingTheSameGenerationTwiceChangesNothing() throws Exception {
        DesiredState first = desired(3, Map.of("role", "air-quality"), new SamplingPlan(Sensors.PM25, 2000));
        AppliedState applied = applier.apply(first);
        ScheduledFuture<?> task = sampling.task(Sensors.PM25);
        long fileTime = Files.getLastModifiedTime(stateDir.resolve("applied.json")).toMillis();

        AppliedState again = applier.apply(desired(3, Map.of("role", "other"), new SamplingPlan(Sensors.NO2, 500)));

        assertThat(again).isEqualTo(applied);
        assertThat(applier.desired()).isEqualTo(first);
        assertThat((Object) sampling.task(Sensors.PM25)).isSameAs(task);
        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L));
        assertThat(Files.getLastModifiedTime(stateDir.resolve("applied.json")).toMillis()).isEqualTo(fileTime);
    }

    @Test
    void anOlderGenerationIsIgnoredAndAnswersWithTheCurrentOne() throws Exception {
        applier.apply(desired(5, Map.of("district", "centro"), new SamplingPlan(Sensors.PM25, 2000)));

        AppliedState answer = applier.apply(desired(4, Map.of("district", "gazzi")));

        assertThat(answer.generation()).isEqualTo(5);
        assertThat(applier.desired().labels()).containsEntry("district", "centro");
        assertThat(sampling.periods()).containsOnlyKeys(Sensors.PM25);
    }

    @Test
    void aPlanWithASensorTheNodeDoesNotHaveIsRefusedAndChangesNothing() throws Exception {
        DesiredState before = desired(1, Map.of("role", "air-quality"), new SamplingPlan(Sensors.PM25, 2000));
        applier.apply(before);
        ScheduledFuture<?> task = sampling.task(Sensors.PM25);

        assertThatThrownBy(() -> applier.apply(desired(2, Map.of("role", "parking"),
                new SamplingPlan(Sensors.PM25, 1000), new SamplingPlan(Sensors.PARKING, 1000))))
                .isInstanceOf(DesiredStateApplier.RefusedException.class)
                .hasMessageContaining("no sensor 'parking'");

        assertThat(applier.desired()).isEqualTo(before);
        assertThat(applier.appliedGeneration()).isEqualTo(1);
        assertThat((Object) sampling.task(Sensors.PM25)).isSameAs(task);
        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L));
    }

    @Test
    void periodsBelowTheMinimumAndDuplicateSensorsAreRefused() {
        assertThatThrownBy(() -> applier.apply(desired(1, Map.of(), new SamplingPlan(Sensors.PM25, 10))))
                .hasMessageContaining("minimum");
        assertThatThrownBy(() -> applier.apply(desired(1, Map.of(),
                new SamplingPlan(Sensors.PM25, 1000), new SamplingPlan(Sensors.PM25, 2000))))
                .hasMessageContaining("twice");
        assertThat(applier.appliedGeneration()).isZero();
        assertThat(Files.exists(stateDir.resolve("applied.json"))).isFalse();
    }

    @Test
    void theCitysDefaultsSampleTheSensorsTheNodeHasUnlessItsOwnPlanNamesThem() throws Exception {
        // PARKING is not on this node: a city-wide default for it is skipped, not a reason to refuse.
        DesiredState withDefaults = new DesiredState(NODE, 0, Map.of(), List.of(new SamplingPlan(Sensors.PM25, 2000)))
                .withCityDefaults(new SamplingDefaults(0, List.of(new SamplingPlan(Sensors.PM25, 9000),
                        new SamplingPlan(Sensors.TEMPERATURE, 5000), new SamplingPlan(Sensors.PARKING, 1000))));

        assertThat(applier.apply(withDefaults).generation()).isEqualTo(1);

        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L, Sensors.TEMPERATURE, 5000L));
        assertThat(applier.desired()).isEqualTo(withDefaults);

        // The defaults change: only the defaulted sensor is rescheduled; a restarted agent resumes the same plan.
        ScheduledFuture<?> pm25 = sampling.task(Sensors.PM25);
        applier.apply(withDefaults.withCityDefaults(new SamplingDefaults(1, List.of(new SamplingPlan(Sensors.TEMPERATURE, 3000)))));
        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L, Sensors.TEMPERATURE, 3000L));
        assertThat((Object) sampling.task(Sensors.PM25)).isSameAs(pm25);

        SamplingScheduler resumedSampling = new SamplingScheduler(NODE, executor, new SimulatedSensors(new Random(1)),
                readings::add, clock);
        try {
            new DesiredStateApplier(NODE, HARDWARE, resumedSampling, stateDir, clock).resume();
            assertThat(resumedSampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L, Sensors.TEMPERATURE, 3000L));
        } finally {
            resumedSampling.close();
        }
    }

    @Test
    void defaultsBelowTheMinimumOrNamingASensorTwiceAreRefused() {
        DesiredState base = desired(1, Map.of());
        assertThatThrownBy(() -> applier.apply(base.withCityDefaults(new SamplingDefaults(0, List.of(new SamplingPlan(Sensors.PARKING, 10))))))
                .hasMessageContaining("samplingDefaults").hasMessageContaining("minimum");
        assertThatThrownBy(() -> applier.apply(base.withCityDefaults(new SamplingDefaults(0, List.of(
                new SamplingPlan(Sensors.NO2, 1000), new SamplingPlan(Sensors.NO2, 2000)))))).hasMessageContaining("twice");
        assertThat(applier.appliedGeneration()).isZero();
        assertThat(sampling.periods()).isEmpty();
    }

    @Test
    void theCitysDefaultsAsAMessageApplyToTheStateInEffectWhenNewer() throws Exception {
        // Before the first push there is no state to apply them to: the controller pushes it, defaults included.
        assertThat(applier.applyDefaults(new SamplingDefaults(0, List.of(new SamplingPlan(Sensors.TEMPERATURE, 5000))))
                .generation()).isZero();
        assertThat(sampling.periods()).isEmpty();

        DesiredState stored = desired(4, Map.of("zone", "north"), new SamplingPlan(Sensors.PM25, 2000));
        applier.apply(stored.withCityDefaults(new SamplingDefaults(2, List.of(new SamplingPlan(Sensors.TEMPERATURE, 5000)))), 3);
        assertThat(applier.appliedGeneration()).isEqualTo(7); // 4 + version 2 + 1

        SamplingDefaults v5 = new SamplingDefaults(5, List.of(new SamplingPlan(Sensors.TEMPERATURE, 3000),
                new SamplingPlan(Sensors.PM25, 9000)));
        assertThat(applier.applyDefaults(v5).generation()).isEqualTo(10);
        // Exactly the state the controller would push for the same record: same generation, same content.
        assertThat(applier.desired()).isEqualTo(stored.withCityDefaults(v5));
        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L, Sensors.TEMPERATURE, 3000L));
        assertThat(applier.epoch()).isEqualTo(3);

        // An older or a repeated version changes nothing; bad periods are refused and change nothing either.
        assertThat(applier.applyDefaults(new SamplingDefaults(4, List.of())).generation()).isEqualTo(10);
        assertThat(applier.applyDefaults(new SamplingDefaults(5, List.of())).generation()).isEqualTo(10);
        assertThatThrownBy(() -> applier.applyDefaults(new SamplingDefaults(6, List.of(new SamplingPlan(Sensors.PM25, 10)))))
                .hasMessageContaining("minimum");
        assertThat(applier.desired()).isEqualTo(stored.withCityDefaults(v5));
        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L, Sensors.TEMPERATURE, 3000L));

        // A restarted agent knows which version it holds.
        DesiredStateApplier restarted = new DesiredStateApplier(NODE, HARDWARE, sampling, stateDir, clock);
        restarted.resume();
        assertThat(restarted.applyDefaults(v5).generation()).isEqualTo(10);
    }

    @Test
    void anotherNodesDesiredStateIsRefused() {
        assertThatThrownBy(() -> applier.apply(new DesiredState("board_2", 1, Map.of(), List.of())))
                .hasMessageContaining("board_2");
    }

    @Test
    void onlySensorsWhosePeriodChangedAreRescheduled() throws Exception {
        applier.apply(desired(1, Map.of(), new SamplingPlan(Sensors.PM25, 2000), new SamplingPlan(Sensors.NO2, 2000),
                new SamplingPlan(Sensors.TEMPERATURE, 2000)));
        ScheduledFuture<?> pm25 = sampling.task(Sensors.PM25);
        ScheduledFuture<?> no2 = sampling.task(Sensors.NO2);
        ScheduledFuture<?> temperature = sampling.task(Sensors.TEMPERATURE);

        applier.apply(desired(2, Map.of("role", "air-quality"), new SamplingPlan(Sensors.PM25, 2000),
                new SamplingPlan(Sensors.NO2, 500)));

        assertThat((Object) sampling.task(Sensors.PM25)).isSameAs(pm25);
        assertThat((Object) sampling.task(Sensors.NO2)).isNotSameAs(no2);
        assertThat(no2.isCancelled()).isTrue();
        assertThat(temperature.isCancelled()).isTrue();
        assertThat((Object) sampling.task(Sensors.TEMPERATURE)).isNull();
        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L, Sensors.NO2, 500L));
    }

    @Test
    void aRestartedAgentResumesItsGenerationAndPlan() throws Exception {
        applier.apply(desired(7, Map.of("district", "giostra"), new SamplingPlan(Sensors.NO2, 100)));
        sampling.close();

        SamplingScheduler restartedSampling = new SamplingScheduler(NODE, executor,
                new SimulatedSensors(new Random(2)), readings::add, clock);
        DesiredStateApplier restarted = new DesiredStateApplier(NODE, HARDWARE, restartedSampling, stateDir, clock);
        restarted.resume();

        assertThat(restarted.appliedGeneration()).isEqualTo(7);
        assertThat(restarted.desired().labels()).containsEntry("district", "giostra");
        assertThat(restartedSampling.periods()).isEqualTo(Map.of(Sensors.NO2, 100L));
        readings.clear();
        await().until(() -> !readings.isEmpty());
        assertThat(readings.get(0)).satisfies(r -> {
            assertThat(r.nodeId()).isEqualTo(NODE);
            assertThat(r.sensor()).isEqualTo(Sensors.NO2);
            assertThat(r.unit()).isEqualTo("ug/m3");
        });
        restartedSampling.close();
    }

    @Test
    void appliedStateOfAnotherNodeIsNotResumed() throws Exception {
        applier.apply(desired(7, Map.of(), new SamplingPlan(Sensors.NO2, 1000)));

        DesiredStateApplier other = new DesiredStateApplier("board_9", HARDWARE, sampling, stateDir, clock);
        other.resume();

        assertThat(other.appliedGeneration()).isZero();
    }

    @Test
    void aPushOfAnOlderMastershipEpochIsRefusedAndChangesNothing() throws Exception {
        AppliedState applied = applier.apply(desired(4, Map.of("district", "centro"),
                new SamplingPlan(Sensors.PM25, 2000)), 40);
        byte[] file = Files.readAllBytes(stateDir.resolve("applied.json"));

        assertThatThrownBy(() -> applier.apply(desired(5, Map.of("district", "stale"),
                new SamplingPlan(Sensors.NO2, 500)), 39))
                .isInstanceOf(DesiredStateApplier.StaleEpochException.class)
                .satisfies(e -> assertThat(((DesiredStateApplier.StaleEpochException) e).held()).isEqualTo(40))
                .satisfies(e -> assertThat(((DesiredStateApplier.StaleEpochException) e).offered()).isEqualTo(39));

        assertThat(applier.current()).isEqualTo(applied);
        assertThat(applier.desired().labels()).containsEntry("district", "centro");
        assertThat(sampling.periods()).isEqualTo(Map.of(Sensors.PM25, 2000L));
        assertThat(Files.readAllBytes(stateDir.resolve("applied.json"))).isEqualTo(file);
        assertThat(applier.epoch()).isEqualTo(40);
    }

    @Test
    void anEqualOrNewerMastershipEpochIsAccepted() throws Exception {
        applier.apply(desired(1, Map.of()), 40);

        assertThat(applier.apply(desired(2, Map.of()), 40).generation()).isEqualTo(2);
        assertThat(applier.apply(desired(3, Map.of()), 41).generation()).isEqualTo(3);
        assertThat(applier.epoch()).isEqualTo(41);
        // A new master re-pushing the generation in effect: nothing to apply, but its epoch is now the floor.
        assertThat(applier.apply(desired(3, Map.of()), 50).generation()).isEqualTo(3);
        assertThat(applier.epoch()).isEqualTo(50);
        assertThatThrownBy(() -> applier.apply(desired(4, Map.of()), 41))
                .isInstanceOf(DesiredStateApplier.StaleEpochException.class);
        assertThatThrownBy(() -> applier.apply(desired(4, Map.of()))) // no epoch at all: 0
                .isInstanceOf(DesiredStateApplier.StaleEpochException.class);
    }

    @Test
    void aRestartedAgentRemembersTheHighestEpochItAccepted() throws Exception {
        applier.apply(desired(2, Map.of(), new SamplingPlan(Sensors.NO2, 1000)), 70);
        applier.apply(desired(2, Map.of()), 75); // raised without a new generation: written too

        DesiredStateApplier restarted = new DesiredStateApplier(NODE, HARDWARE, sampling, stateDir, clock);
        restarted.resume();

        assertThat(restarted.epoch()).isEqualTo(75);
        assertThatThrownBy(() -> restarted.apply(desired(3, Map.of()), 74))
                .isInstanceOf(DesiredStateApplier.StaleEpochException.class);
        assertThat(restarted.appliedGeneration()).isEqualTo(2);
        assertThat(restarted.apply(desired(3, Map.of()), 80).generation()).isEqualTo(3);
    }

    @Test
    void anAppliedFileWrittenBeforeFencingResumesWithEpochZero() throws Exception {
        Files.writeString(stateDir.resolve("applied.json"), """
                {"desired": {"nodeId": "board_1", "generation": 6, "labels": {}, "sampling": []},
                 "appliedAtMillis": 1000}""");

        applier.resume();

        assertThat(applier.appliedGeneration()).isEqualTo(6);
        assertThat(applier.epoch()).isZero();
        assertThat(applier.apply(desired(7, Map.of()), 1).generation()).isEqualTo(7);
    }
}
