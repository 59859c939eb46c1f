package io.civitas.controller.policy;

import io.civitas.controller.policy.PolicyRequests.FileBody;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.FieldProblem;
import io.civitas.policy.Policies;
import io.civitas.policy.PolicyFile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a policy's name and files before anything compiles or is stored: 400 naming every bad field,
 * 413 naming the limit a source exceeds. The limits also keep a version well inside one znode
 * (ZooKeeper's default limit is 1 MB).
 */
final class PolicyInput {

    static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,64}");
    static final Pattern PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*");
    static final int MAX_FILES = 64;
    /** Bytes of UTF-8 source per policy: the engine's own limit, checked here to answer 413 before compiling. */
    static final int MAX_SOURCE_BYTES = Policies.MAX_SOURCE_BYTES;

    private PolicyInput() {}

    static String name(String name) {
        if (name == null || name.isEmpty()) {
            throw ApiException.invalid("name", "is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.invalid("name", "must be 1-64 lower-case letters, digits or '-', not '" + abbreviate(name) + "'");
        }
        return name;
    }

    static List<PolicyFile> files(List<FileBody> files) {
        List<FieldProblem> problems = new ArrayList<>();
        if (files == null || files.isEmpty()) {
            throw ApiException.invalid("files", "at least one .drl, .dsl or .dslr file is required");
        }
        if (files.size() > MAX_FILES) {
            throw PolicyProblem.tooLarge("a policy has at most " + MAX_FILES + " files, this one has " + files.size());
        }
        Set<String> seen = new HashSet<>();
        long total = 0;
        List<PolicyFile> checked = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String at = "files[" + i + "]";
            FileBody file = files.get(i);
            if (file == null) {
                problems.add(new FieldProblem(at, "must be an object {path, text}"));
                continue;
            }
            String path = file.path();
            if (path == null || path.isEmpty()) {
                problems.add(new FieldProblem(at + ".path", "is required"));
            } else if (!PATH.matcher(path).matches() || path.length() > 200) {
                problems.add(new FieldProblem(at + ".path", "must be a relative path of letters, digits, '.', '_',"
                        + " '-' and '/' (at most 200 characters), not '" + abbreviate(path) + "'"));
            } else if (!(path.endsWith(".drl") || path.endsWith(".dsl") || path.endsWith(".dslr"))) {
                problems.add(new FieldProblem(at + ".path", "must end in .drl, .dsl or .dslr: '" + path + "'"));
            } else if (!seen.add(path)) {
                problems.add(new FieldProblem(at + ".path", "'" + path + "' appears more than once"));
            }
            if (file.text() == null) {
                problems.add(new FieldProblem(at + ".text", "is required"));
                continue;
            }
            total += file.text().getBytes(StandardCharsets.UTF_8).length;
            checked.add(new PolicyFile(path, file.text()));
        }
        if (total > MAX_SOURCE_BYTES) {
            throw PolicyProblem.tooLarge("the policy's source is " + total + " bytes; the limit is "
                    + MAX_SOURCE_BYTES + " bytes (" + MAX_SOURCE_BYTES / 1024 + " KiB) per policy");
        }
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
        return List.copyOf(checked);
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }
}
