package io.civitas.agent;

import io.civitas.protocol.SamplingPlan;
import io.civitas.protocol.Sensors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The demo city: boards spread over Messina's districts (air-quality and parking roles) and one VM host
 * for video analytics. Names are stable, since the demo finds its nodes again by name.
 */
final class DemoCityPlan {
    static final String BOARD = "BOARD";
    static final String VM = "VM";
    static final String AIR_QUALITY = "air-quality";
    static final String PARKING = "parking";

    /** One node to create: what the controller stores, what it should sample, and what hardware it has. */
    record DemoNode(String name, String kind, double lat, double lon, Map<String, String> labels,
                    List<SamplingPlan> sampling, Set<String> sensors) {}

    /** A district's outline for the map: [lat, lon] corners, as the controller's districts API takes them. */
    record District(String name, List<List<Double>> outline) {}

    private record Site(String district, double lat, double lon, String role) {}

    // Real places: Piazza Cairoli, Piazza Duomo, Giostra, Gazzi, Annunziata (lat, lon in WGS84).
    private static final List<Site> SITES = List.of(
            new Site("centro", 38.1894, 15.5523, AIR_QUALITY),
            new Site("centro", 38.1929, 15.5547, PARKING),
            new Site("giostra", 38.2050, 15.5480, AIR_QUALITY),
            new Site("gazzi", 38.1740, 15.5530, AIR_QUALITY),
            new Site("annunziata", 38.2155, 15.5590, PARKING));

    private static final List<SamplingPlan> AIR_QUALITY_PLAN = List.of(
            new SamplingPlan(Sensors.PM25, 2000), new SamplingPlan(Sensors.NO2, 2000),
            new SamplingPlan(Sensors.TEMPERATURE, 2000));
    private static final List<SamplingPlan> PARKING_PLAN = List.of(new SamplingPlan(Sensors.PARKING, 1000));

    private static final Set<String> AIR_QUALITY_SENSORS = Set.of(Sensors.PM25, Sensors.NO2, Sensors.TEMPERATURE);
    private static final Set<String> PARKING_SENSORS = Set.of(Sensors.PARKING, Sensors.TEMPERATURE);

    private DemoCityPlan() {}

    /** {@code boards} boards (sites repeat, nudged apart, past the fifth) and one VM host. */
    static List<DemoNode> of(int boards) {
        List<DemoNode> nodes = new ArrayList<>();
        for (int i = 0; i < boards; i++) {
            Site site = SITES.get(i % SITES.size());
            double nudge = (i / SITES.size()) * 0.0015; // ~150 m per round, so markers do not overlap
            boolean airQuality = site.role().equals(AIR_QUALITY);
            nodes.add(new DemoNode("board_" + site.district() + "_" + (i + 1), BOARD, site.lat() + nudge,
                    site.lon() + nudge, Map.of("district", site.district(), "role", site.role(),
                            "sensors", String.join(",", new java.util.TreeSet<>(airQuality ? AIR_QUALITY_SENSORS : PARKING_SENSORS))),
                    airQuality ? AIR_QUALITY_PLAN : PARKING_PLAN,
                    airQuality ? AIR_QUALITY_SENSORS : PARKING_SENSORS));
        }
        // The city's small data centre near the port: no sensors, it hosts services.
        nodes.add(new DemoNode("vm_video_analytics_1", VM, 38.1986, 15.5595,
                Map.of("district", "centro", "role", "video-analytics", "services", "video-analytics"), List.of(), Set.of()));
        return nodes;
    }

    /**
     * Rough outlines of the districts the plan's nodes stand in: a quadrilateral around each district's
     * nodes (about 400 m beyond them, corners skewed so it does not read as a box), sorted by name.
     */
    static List<District> districts(List<DemoNode> nodes) {
        Map<String, double[]> bounds = new TreeMap<>(); // minLat, maxLat, minLon, maxLon
        for (DemoNode node : nodes) {
            String district = node.labels().get("district");
            if (district == null) {
                continue;
            }
            double[] b = bounds.computeIfAbsent(district, k -> new double[] {90, -90, 180, -180});
            b[0] = Math.min(b[0], node.lat());
            b[1] = Math.max(b[1], node.lat());
            b[2] = Math.min(b[2], node.lon());
            b[3] = Math.max(b[3], node.lon());
        }
        List<District> districts = new ArrayList<>();
        double pad = 0.004;
        bounds.forEach((name, b) -> districts.add(new District(name, List.of(
                List.of(round(b[0] - pad), round(b[2] - pad * 0.8)),
                List.of(round(b[0] - pad * 0.7), round(b[3] + pad)),
                List.of(round(b[1] + pad), round(b[3] + pad * 0.6)),
                List.of(round(b[1] + pad * 0.8), round(b[2] - pad))))));
        return districts;
    }

    private static double round(double degrees) {
        return Math.round(degrees * 100_000) / 100_000.0;
    }
}
