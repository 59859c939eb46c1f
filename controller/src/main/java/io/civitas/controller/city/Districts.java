package io.civitas.controller.city;

import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.FieldProblem;
import io.civitas.controller.system.ZkJson;
import io.civitas.controller.system.ZooKeeperException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The city's district outlines (polygons of [lat, lon] points), drawn under the nodes on the map. Stored
 * whole in ZooKeeper at {@code /city/districts}; a PUT is validated completely before anything is written,
 * so a bad one stores nothing. Bounded so the znode stays well under ZooKeeper's 1 MB limit.
 */
@Component
class Districts {

    static final String ZNODE = "/city/districts";
    static final int MAX_DISTRICTS = 200;
    static final int MAX_POINTS = 100;

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,64}");

    record District(String name, List<List<Double>> outline) {}

    record CityDistricts(List<District> districts) {}

    private final CuratorFramework zk;

    Districts(CuratorFramework zk) {
        this.zk = zk;
    }

    CityDistricts get() {
        try {
            return ZkJson.read(zk.getData().forPath(ZNODE), CityDistricts.class);
        } catch (KeeperException.NoNodeException none) {
            return new CityDistricts(List.of());
        } catch (Exception e) {
            throw ZooKeeperException.wrap("read the districts", e);
        }
    }

    CityDistricts put(CityDistricts request) {
        validate(request);
        byte[] data = ZkJson.write(request);
        try {
            try {
                zk.setData().forPath(ZNODE, data);
            } catch (KeeperException.NoNodeException first) {
                zk.create().creatingParentsIfNeeded().forPath(ZNODE, data);
            }
        } catch (KeeperException.NodeExistsException raced) {
            return put(request); // another controller created it meanwhile: last writer wins, as with setData
        } catch (Exception e) {
            throw ZooKeeperException.wrap("write the districts", e);
        }
        return request;
    }

    static void validate(CityDistricts request) {
        List<FieldProblem> problems = new ArrayList<>();
        List<District> districts = request == null || request.districts() == null ? null : request.districts();
        if (districts == null) {
            throw ApiException.invalid("districts", "required: a list of {name, outline}");
        }
        if (districts.size() > MAX_DISTRICTS) {
            throw ApiException.invalid("districts", "at most " + MAX_DISTRICTS + " districts, not " + districts.size());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < districts.size(); i++) {
            String at = "districts[" + i + "]";
            District d = districts.get(i);
            if (d == null) {
                problems.add(new FieldProblem(at, "must be an object {name, outline}"));
                continue;
            }
            if (d.name() == null || !NAME.matcher(d.name()).matches()) {
                problems.add(new FieldProblem(at + ".name", "must be 1-64 of a-z, 0-9 and '-', not "
                        + (d.name() == null ? "missing" : "'" + d.name() + "'")));
            } else if (!names.add(d.name())) {
                problems.add(new FieldProblem(at + ".name", "'" + d.name() + "' appears twice"));
            }
            outline(d.outline(), at + ".outline", problems);
        }
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
    }

    private static void outline(List<List<Double>> outline, String at, List<FieldProblem> problems) {
        if (outline == null || outline.size() < 3 || outline.size() > MAX_POINTS) {
            problems.add(new FieldProblem(at, "must be 3 to " + MAX_POINTS + " [lat, lon] points, not "
                    + (outline == null ? "missing" : outline.size())));
            return;
        }
        for (int j = 0; j < outline.size(); j++) {
            List<Double> point = outline.get(j);
            String p = at + "[" + j + "]";
            if (point == null || point.size() != 2 || point.get(0) == null || point.get(1) == null) {
                problems.add(new FieldProblem(p, "must be [lat, lon]"));
            } else if (!(point.get(0) >= -90 && point.get(0) <= 90)) {
                problems.add(new FieldProblem(p + "[0]", "latitude must be in [-90, 90], not " + point.get(0)));
            } else if (!(point.get(1) >= -180 && point.get(1) <= 180)) {
                problems.add(new FieldProblem(p + "[1]", "longitude must be in [-180, 180], not " + point.get(1)));
            }
        }
    }
}
