package io.civitas.controller.node;

import io.civitas.controller.node.NodeRequests.SamplingInput;
import io.civitas.protocol.SamplingPlan;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * {@code /api/v1/city/defaults}: the default sampling period per sensor for every node of the city. A node's own
 * plan ({@code PUT /api/v1/nodes/{id}/desired}) and the policies' periods win over it; a node without the sensor
 * ignores it. {@code version} is -1 until the first PUT.
 */
@RestController
@RequestMapping("/api/v1/city/defaults")
class CityDefaultsController {

    record PutDefaults(List<SamplingInput> sampling) {}

    private final CityDefaults defaults;

    CityDefaultsController(CityDefaults defaults) {
        this.defaults = defaults;
    }

    @GetMapping
    CityDefaults.Current get() {
        return defaults.current();
    }

    @PutMapping
    CityDefaults.Current put(@RequestBody PutDefaults request) {
        NodeInput input = new NodeInput();
        List<SamplingPlan> sampling = input.sampling(request.sampling(), "sampling");
        input.check();
        return defaults.put(sampling);
    }
}
