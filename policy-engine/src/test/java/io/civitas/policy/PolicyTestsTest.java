package io.civitas.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PolicyTestsTest {

    @Test
    void badTestLinesAreErrorsWithFileAndLine() {
        String text = """
                policies env-monitoring
                case one
                node b1 kind=TRAIN
                node b2 colour=red
                expect b1 flavour sweet
                reading b1 pm25 lots
                """;
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> PolicyTests.parse("bad.cases", text));
        assertThat(e.errors()).extracting(PolicyError::file).containsOnly("bad.cases");
        assertThat(e.errors()).extracting(PolicyError::line).containsExactly(3, 4, 5, 6);
        assertThat(e.errors().get(1).message()).contains("unknown node key 'colour'");
    }

    @Test
    void aCaseWithoutPoliciesIsAnError() {
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> PolicyTests.parse("x.cases", "case lonely\nnode b1\n"));
        assertThat(e.errors().get(0).message()).contains("names no policies");
    }

    @Test
    void aFailingExpectationSaysWhatDiffers() throws Exception {
        PolicySet p = Fixtures.compile(EvaluationTest.SAMPLING);
        List<PolicyTestCase> cases = PolicyTests.parse("f.cases", """
                policies whatever
                case wrong expectations
                node b1 kind=BOARD sensors=pm25
                expect b1 overlay parking-net
                expect b1 sampling pm25 5000
                expect-not b1 overlay env-net
                expect ghost overlay env-net
                """);
        PolicyTestResult r = PolicyTests.run(p, cases.get(0));
        assertThat(r.passed()).isFalse();
        assertThat(r.name()).isEqualTo("wrong expectations");
        assertThat(r.differences()).containsExactly(
                "b1: expected overlay parking-net, got env-net (line 4)",
                "b1: expected sampling pm25 5000, got 60000 ms (line 5)",
                "b1: expected no overlay env-net, got env-net (line 6)",
                "ghost: expected a node of that id, the case has none (line 7)");
    }

    @Test
    void aFileWithoutCaseLinesIsOneCaseNamedAfterIt() throws Exception {
        List<PolicyTestCase> cases = PolicyTests.parse("single.cases", "policies a b\nnode b1\nexpect b1 alert-count 0\n");
        assertThat(cases).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("single.cases");
            assertThat(c.policies()).containsExactly("a", "b");
        });
    }

    @Test
    void anExpectedRuntimeErrorPasses() throws Exception {
        PolicySet loop = Fixtures.compile("rule \"spin\"\nwhen\n  $n : Node()\nthen\n  update($n);\nend\n");
        PolicyTestCase c = PolicyTests.parse("l.cases", "policies x\nnode b1\nexpect-error rule 'spin' kept firing\n").get(0);
        assertThat(PolicyTests.run(loop, c).passed()).isTrue();
    }
}
