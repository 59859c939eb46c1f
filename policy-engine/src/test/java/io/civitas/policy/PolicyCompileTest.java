package io.civitas.policy;

import org.junit.jupiter.api.Test;
import org.kie.api.KieServices;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PolicyCompileTest {

    static List<PolicyError> errorsOf(PolicyFile... files) {
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> Policies.compile("t", List.of(files)));
        assertThat(e).as("expected a compile error").isNotNull();
        return e.errors();
    }

    @Test
    void drlSyntaxErrorHasExactLineAndColumn() {
        String drl = """
                package t;
                rule "r"
                when
                  $node : Node( kind === "BOARD" )
                then
                end
                """;
        List<PolicyError> errors = errorsOf(new PolicyFile("rules/bad.drl", drl));
        assertThat(errors).hasSize(1);
        PolicyError e = errors.get(0);
        assertThat(e.file()).isEqualTo("rules/bad.drl");
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.column()).isEqualTo(24); // the third '=' of "==="
    }

    @Test
    void dslrSentenceMatchingNoMappingIsReportedOnItsLine() {
        String dslr = """
                package t;
                expander city.dsl
                rule "r"
                when
                    a board in the sky
                then
                    join it to overlay "x"
                end
                """;
        List<PolicyError> errors = errorsOf(new PolicyFile("sky.dslr", dslr));
        assertThat(errors).extracting(PolicyError::file, PolicyError::line, PolicyError::column)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sky.dslr", 5, 5));
        assertThat(errors.get(0).message()).startsWith("Unable to expand: 'a board in the sky'");
    }

    @Test
    void hashCommentInDslrIsNamedAsSuch() {
        List<PolicyError> errors = errorsOf(new PolicyFile("c.dslr",
                "package t;\nexpander city.dsl\nrule \"r\"\nwhen\n  # boards only\n  a board\nthen\n  join it to overlay \"x\"\nend\n"));
        assertThat(errors).containsExactly(new PolicyError("c.dslr", 5, 3, "a comment starts with // (not #)"));
    }

    @Test
    void unknownFactFieldIsAnErrorWithLineAndColumn() {
        String drl = "package t;\nrule \"r\"\nwhen\n  $n : Node( colour == \"red\" )\nthen\nend\n";
        List<PolicyError> errors = errorsOf(new PolicyFile("colour.drl", drl));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).line()).isEqualTo(4);
        assertThat(errors.get(0).column()).isEqualTo(14); // where "colour" starts
        assertThat(errors.get(0).message()).contains("unknown field 'colour' of Node");
    }

    @Test
    void everyErrorOfEveryFileIsReported() {
        List<PolicyError> errors = errorsOf(
                new PolicyFile("a.drl", "package t;\nrule \"a\"\nwhen\n  Node( colour == \"red\" )\nthen\nend\n"),
                new PolicyFile("b.dslr", "package t;\nexpander city.dsl\nrule \"b\"\nwhen\n  a spaceship\nthen\n  launch it\nend\n"));
        assertThat(errors).extracting(PolicyError::file).contains("a.drl", "b.dslr");
        assertThat(errors).filteredOn(e -> e.file().equals("b.dslr")).extracting(PolicyError::line).containsExactly(5, 7);
    }

    @Test
    void oversizedSourceIsRefusedBeforeDroolsSeesIt() {
        String big = "// " + "x".repeat(Policies.MAX_SOURCE_BYTES) + "\n";
        List<PolicyError> errors = errorsOf(new PolicyFile("big.drl", big));
        assertThat(errors.get(0).message()).contains("more than the limit of " + Policies.MAX_SOURCE_BYTES);
    }

    @Test
    void emptyPolicyOtherExtensionsAndEscapingPathsAreRefused() {
        assertThat(errorsOf()).extracting(PolicyError::message).containsExactly("the policy has no files");
        assertThat(errorsOf(new PolicyFile("a.drl", "  \n"))).extracting(PolicyError::message)
                .allMatch(m -> m.contains("empty"));
        assertThat(errorsOf(new PolicyFile("notes.txt", "hello"))).extracting(PolicyError::message)
                .anyMatch(m -> m.contains(".drl, .dsl or .dslr"));
        assertThat(errorsOf(new PolicyFile("../up.drl", "rule \"r\" when then end"))).extracting(PolicyError::message)
                .anyMatch(m -> m.contains("'..'"));
        assertThat(errorsOf(new PolicyFile("/etc/x.drl", "rule \"r\" when then end"))).extracting(PolicyError::message)
                .anyMatch(m -> m.contains("relative"));
    }

    @Test
    void policySetsCoexistAndLeaveNothingInDroolsRepository() throws Exception {
        PolicyFile rule = new PolicyFile("r.drl", "package t;\nrule \"r\"\nwhen\n  $n : Node()\nthen\n"
                + "  insertLogical(new OverlayMembership($n.getId(), \"x\"));\nend\n");
        PolicySet first = Policies.compile("first", List.of(rule));
        for (int i = 0; i < 30; i++) {
            Policies.compile("again", List.of(rule));
        }
        KieServices ks = KieServices.Factory.get();
        for (int i = 1; i < 200; i++) {
            assertThat(ks.getRepository().getKieModule(ks.newReleaseId("io.civitas.policy", "policy-" + i, "1.0.0")))
                    .as("module %d left in the KieRepository", i).isNull();
        }
        try (Evaluation e = first.newEvaluation()) {
            e.upsert(Fixtures.board("b1", "centro"));
            assertThat(e.evaluate().get("b1").overlays()).containsExactly("x");
        }
    }

    @Test
    void aCompileErrorIsACheckedExceptionWithEveryError() {
        assertThatThrownBy(() -> Policies.compile("t", List.of(new PolicyFile("a.drl", "rule"))))
                .isInstanceOf(PolicyCompileException.class).hasMessageContaining("a.drl");
    }
}
