package io.civitas.controller.node;

import java.util.List;
import java.util.Map;

/**
 * Request bodies as clients send them: loosely typed (boxed numbers, label values as any JSON), so that
 * {@link NodeInput} can name each wrong field instead of failing on the first type mismatch.
 */
final class NodeRequests {

    private NodeRequests() {}

    /** {@code POST /api/v1/nodes}. */
    record CreateNode(String name, String kind, LocationInput location, Map<String, Object> labels) {}

    /** {@code PATCH /api/v1/nodes/{id}}: absent (or null) fields stay as they are; labels are replaced whole. */
    record PatchNode(String name, String kind, LocationInput location, Map<String, Object> labels) {}

    record LocationInput(Double lat, Double lon) {}

    /** {@code PUT /api/v1/nodes/{id}/desired}: the whole desired state (absent lists and maps mean empty). */
    record PutDesired(Map<String, Object> labels, List<SamplingInput> sampling) {}

    record SamplingInput(String sensor, Long periodMillis) {}
}
