package io.civitas.policy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class DecisionDiffTest {

    static NodeDecisions d(String id, List<String> overlays, Map<String, Long> sampling, List<String> exposures) {
        return new NodeDecisions(id, new TreeSet<>(overlays), new TreeMap<>(sampling), new TreeSet<>(exposures), List.of(), null);
    }

    @Test
    void diffNamesAddedAndRemovedOverlaysSamplingAndExposuresPerNode() {
        Map<String, NodeDecisions> before = Map.of(
                "b1", d("b1", List.of("env-net", "district-centro"), Map.of("pm25", 60000L), List.of()),
                "same", d("same", List.of("x"), Map.of(), List.of()),
                "gone", d("gone", List.of("x"), Map.of(), List.of("web")));
        Map<String, NodeDecisions> after = Map.of(
                "b1", d("b1", List.of("parking-net", "district-centro"), Map.of("pm25", 5000L, "no2", 60000L), List.of("cam")),
                "same", d("same", List.of("x"), Map.of(), List.of()),
                "new", d("new", List.of("y"), Map.of(), List.of()));
        SortedMap<String, DecisionDiff> diff = DecisionDiff.between(before, after);
        assertThat(diff).containsOnlyKeys("b1", "gone", "new");
        DecisionDiff b1 = diff.get("b1");
        assertThat(b1.overlaysAdded()).containsExactly("parking-net");
        assertThat(b1.overlaysRemoved()).containsExactly("env-net");
        assertThat(b1.sampling()).containsEntry("pm25", new DecisionDiff.SamplingChange(60000L, 5000L))
                .containsEntry("no2", new DecisionDiff.SamplingChange(null, 60000L));
        assertThat(b1.exposuresAdded()).containsExactly("cam");
        assertThat(diff.get("gone").exposuresRemoved()).containsExactly("web");
        assertThat(diff.get("gone").overlaysRemoved()).containsExactly("x");
        assertThat(diff.get("new").overlaysAdded()).containsExactly("y");
        assertThat(b1.isEmpty()).isFalse();
    }
}
