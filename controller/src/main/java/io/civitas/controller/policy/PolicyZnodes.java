package io.civitas.controller.policy;

import java.util.List;
import java.util.Map;

/**
 * Policies in ZooKeeper (namespace {@code /civitas}):
 * <pre>
 * /policies/&lt;name&gt;                 Head      {latestVersion}: versions are allocated by compare-and-set on it
 * /policies/&lt;name&gt;/versions/&lt;N&gt;   Version   {files: [{path, text}], createdAtMillis}; never changed
 * /policy-activation               Activation {active: {name: version}}: written only with a version check
 * </pre>
 * A version and the head that names it are created in one transaction, so a stored version is never
 * missing from the head and two pushes never get the same number.
 */
final class PolicyZnodes {

    static final String POLICIES = "/policies";
    static final String ACTIVATION = "/policy-activation";

    record Head(int latestVersion) {}

    record StoredFile(String path, String text) {}

    record Version(List<StoredFile> files, long createdAtMillis) {
        Version {
            files = files == null ? List.of() : List.copyOf(files);
        }
    }

    record Activation(Map<String, Integer> active) {
        static final Activation NONE = new Activation(Map.of());

        Activation {
            active = active == null ? Map.of() : Map.copyOf(active);
        }
    }

    private PolicyZnodes() {}

    static String policy(String name) {
        return POLICIES + "/" + name;
    }

    static String versions(String name) {
        return policy(name) + "/versions";
    }

    static String version(String name, int version) {
        return versions(name) + "/" + version;
    }
}
