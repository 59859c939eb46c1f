package io.civitas.policy;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * What the active policies decided for one node: the overlays it joins, the sampling period per
 * sensor, the services it exposes, alerts, and whether it is quarantined (null reason when not).
 * The engine turns rules' decision facts into this; the controller turns it into desired state.
 */
public record NodeDecisions(String nodeId, SortedSet<String> overlays, SortedMap<String, Long> samplingMillis,
                            SortedSet<String> exposures, List<String> alerts, String quarantineReason) {}
