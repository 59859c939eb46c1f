package io.civitas.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The way in: compile a policy's files into a {@link PolicySet}, or get every error with file, line and
 * column. Every compile is its own Drools module, so any number of policy sets coexist (a draft beside the
 * active version); nothing is left behind in Drools' global repository.
 *
 * <p>Every .drl and .dslr file sees the fact and decision classes without importing them, and every .dslr
 * file may use the city's sentences ({@link #CITY_DSL}) with {@code expander city.dsl}.
 */
public final class Policies {
    /** Total source size a policy may have: a planner's rules, not a data dump. */
    public static final int MAX_SOURCE_BYTES = 256 * 1024;
    /** The path of the built-in planner language, added to every compile. */
    public static final String CITY_DSL = "city.dsl";

    private Policies() {}

    /** Compiles {@code files} into a policy set named {@code name}; throws with every error found. */
    public static PolicySet compile(String name, List<PolicyFile> files) throws PolicyCompileException {
        List<PolicyError> errors = PolicySource.check(files);
        if (!errors.isEmpty()) {
            throw new PolicyCompileException(errors);
        }
        return DroolsCompiler.compile(name, files);
    }

    /**
     * The policy files of one folder (one policy = one folder), with paths relative to it, sorted; sub-folders
     * are included. Files with other extensions (README.md, notes) are skipped.
     */
    public static List<PolicyFile> load(Path folder) throws IOException {
        List<PolicyFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = folder.relativize(p).toString().replace('\\', '/');
                if (PolicySource.isPolicyFile(rel)) {
                    files.add(new PolicyFile(rel, Files.readString(p, StandardCharsets.UTF_8)));
                }
            }
        }
        return files;
    }

    /** The built-in planner language (the mapping every .dslr can use), for the policy editor to show. */
    public static String cityDsl() {
        return DroolsCompiler.cityDsl();
    }
}
