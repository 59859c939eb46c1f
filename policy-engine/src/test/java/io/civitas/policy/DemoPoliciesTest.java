package io.civitas.policy;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every test file under policies/tests passes against the demo policies it names; every demo policy compiles. */
class DemoPoliciesTest {

    static Path policiesFolder() {
        for (Path candidate : List.of(Path.of("../policies"), Path.of("policies"))) {
            if (Files.isDirectory(candidate.resolve("tests"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("the demo policies are missing: no policies/tests beside "
                + Path.of("").toAbsolutePath() + " or in it");
    }

    private final Map<List<String>, PolicySet> compiled = new HashMap<>();

    /** The named policy folders compiled together, as the controller activates them side by side. */
    PolicySet policies(List<String> names) throws IOException, PolicyCompileException {
        PolicySet cached = compiled.get(names);
        if (cached != null) {
            return cached;
        }
        List<PolicyFile> files = new ArrayList<>();
        for (String name : names) {
            Path folder = policiesFolder().resolve(name);
            assertThat(folder).as("policy folder named by a test file").isDirectory();
            for (PolicyFile f : Policies.load(folder)) {
                files.add(new PolicyFile(name + "/" + f.path(), f.text()));
            }
        }
        PolicySet set = Policies.compile(String.join("+", names), files);
        compiled.put(names, set);
        return set;
    }

    @TestFactory
    Stream<DynamicTest> everyDemoTestCasePasses() throws IOException, PolicyCompileException {
        List<Path> testFiles;
        try (Stream<Path> s = Files.list(policiesFolder().resolve("tests"))) {
            testFiles = s.filter(p -> p.toString().endsWith(".cases")).sorted().toList();
        }
        assertThat(testFiles).as("test files under policies/tests").isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : testFiles) {
            for (PolicyTestCase c : PolicyTests.parse(file.getFileName().toString(), Files.readString(file))) {
                tests.add(DynamicTest.dynamicTest(c.toString(), () -> {
                    PolicyTestResult result = PolicyTests.run(policies(c.policies()), c);
                    assertThat(result.differences()).as(c.toString()).isEmpty();
                    assertThat(result.passed()).isTrue();
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void everyDemoPolicyCompilesOnItsOwn() throws IOException {
        List<String> failures = new ArrayList<>();
        try (Stream<Path> s = Files.list(policiesFolder())) {
            for (Path folder : s.filter(Files::isDirectory).filter(p -> !p.endsWith("tests")).sorted().toList()) {
                try {
                    Policies.compile(folder.getFileName().toString(), Policies.load(folder));
                } catch (PolicyCompileException e) {
                    failures.add(folder.getFileName() + ": " + e.errors());
                }
            }
        }
        assertThat(failures).isEmpty();
    }
}
