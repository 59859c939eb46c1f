package io.civitas.controller.city;

import io.civitas.controller.city.Districts.CityDistricts;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/city/districts}: the district outlines the map draws; PUT replaces them all. */
@RestController
@RequestMapping("/api/v1/city/districts")
class DistrictController {

    private final Districts districts;

    DistrictController(Districts districts) {
        this.districts = districts;
    }

    @GetMapping
    CityDistricts get() {
        return districts.get();
    }

    @PutMapping
    CityDistricts put(@RequestBody CityDistricts request) {
        return districts.put(request);
    }
}
