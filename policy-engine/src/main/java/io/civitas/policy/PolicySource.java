package io.civitas.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a policy's files before Drools sees them: size, names, extensions, emptiness. */
final class PolicySource {
    private PolicySource() {}

    static boolean isPolicyFile(String path) {
        return path.endsWith(".drl") || path.endsWith(".dsl") || path.endsWith(".dslr");
    }

    static List<PolicyError> check(List<PolicyFile> files) {
        List<PolicyError> errors = new ArrayList<>();
        if (files == null || files.isEmpty()) {
            errors.add(new PolicyError("", 0, 0, "the policy has no files"));
            return errors;
        }
        long total = 0;
        boolean anyRules = false;
        Set<String> seen = new HashSet<>();
        for (PolicyFile f : files) {
            String path = f.path() == null ? "" : f.path();
            String text = f.text() == null ? "" : f.text();
            total += text.getBytes(StandardCharsets.UTF_8).length;
            if (path.isBlank()) {
                errors.add(new PolicyError(path, 0, 0, "a file has no name"));
            } else if (path.startsWith("/") || path.startsWith("\\") || path.matches("^[A-Za-z]:.*")) {
                errors.add(new PolicyError(path, 0, 0, "a file's path must be relative, got an absolute one"));
            } else if (List.of(path.split("[/\\\\]")).contains("..")) {
                errors.add(new PolicyError(path, 0, 0, "a file's path must not contain '..'"));
            } else if (!path.matches("[A-Za-z0-9_./-]+")) {
                errors.add(new PolicyError(path, 0, 0, "a file's path may hold only letters, digits, '_', '-', '.' and '/'"));
            } else if (!isPolicyFile(path)) {
                errors.add(new PolicyError(path, 0, 0, "unknown kind of file: a policy file ends in .drl, .dsl or .dslr"));
            } else if (!seen.add(path)) {
                errors.add(new PolicyError(path, 0, 0, "the file is given twice"));
            } else if (path.equals(Policies.CITY_DSL)) {
                errors.add(new PolicyError(path, 0, 0, "city.dsl is built in; name your own mapping otherwise"));
            }
            if (!path.endsWith(".dsl") && !text.isBlank()) {
                anyRules = true;
            }
        }
        if (total > Policies.MAX_SOURCE_BYTES) {
            errors.add(new PolicyError("", 0, 0, "the policy's source is " + total + " bytes, more than the limit of "
                    + Policies.MAX_SOURCE_BYTES));
        }
        if (!anyRules && errors.isEmpty()) {
            errors.add(new PolicyError("", 0, 0, "the policy is empty: no .drl or .dslr file with rules"));
        }
        return errors;
    }
}
