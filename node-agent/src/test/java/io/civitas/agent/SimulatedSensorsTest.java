package io.civitas.agent;

import io.civitas.protocol.Sensors;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedSensorsTest {
    @Test
    void readingsStayInTheCitysRangeOverALongRun() {
        SimulatedSensors sensors = new SimulatedSensors(new Random(7));
        Set<Double> parking = new HashSet<>();
        double maxPm25 = 0;
        for (int i = 0; i < 20_000; i++) {
            assertThat(sensors.sample(Sensors.TEMPERATURE)).isBetween(18.0, 25.0);
            double pm25 = sensors.sample(Sensors.PM25);
            assertThat(pm25).isBetween(5.0, 80.0);
            maxPm25 = Math.max(maxPm25, pm25);
            assertThat(sensors.sample(Sensors.NO2)).isBetween(10.0, 60.0);
            parking.add(sensors.sample(Sensors.PARKING));
        }
        assertThat(parking).containsExactlyInAnyOrder(0.0, 1.0);
        assertThat(maxPm25).isGreaterThan(50); // spikes happen
    }
}
