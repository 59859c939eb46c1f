package io.civitas.controller.policy.cli;

import io.civitas.controller.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./civitas policy ...} against a real controller: outputs, error lines and exit codes. */
class PolicyCliTest extends ApiTestBase {

    @TempDir
    Path tmp;
    private Path tokenFile;
    private String out;
    private String err;

    @BeforeEach
    void token() throws IOException {
        tokenFile = Files.writeString(tmp.resolve("token"), adminToken());
    }

    @AfterEach
    void deactivate() {
        cli("deactivate", "cli-flow");
    }

    @Test
    void validatePrintsEachErrorAsFileLineColumn() throws IOException {
        Path dir = policy("cli-bad", "package civitas.cli;\n\nrule \"r\"\nwhen\n    Node( colour == \"red\" )\nthen\nend\n");

        assertThat(cli("validate", dir.toString())).isEqualTo(1);
        assertThat(err).containsPattern("(?m)^rules\\.drl:5:\\d+: .+");
    }

    @Test
    void pushActivateListAndDryRunAPolicyFolder() throws IOException {
        Path dir = policy("cli-flow", rule("net-a"));
        assertThat(cli("validate", dir.toString())).as(err).isZero();
        assertThat(out).contains("cli-flow: valid");
        assertThat(cli("push", dir.toString())).as(err).isZero();
        assertThat(out).contains("pushed cli-flow version 1");
        assertThat(cli("activate", "cli-flow")).as(err).isZero();
        assertThat(out).contains("activated cli-flow version 1");
        assertThat(cli("list")).isZero();
        assertThat(out).containsPattern("cli-flow\\s+1\\s+1");

        Files.writeString(dir.resolve("rules.drl"), rule("net-b"));
        assertThat(cli("dry-run", dir.toString())).as(err).isZero();
        assertThat(out).contains("nodes would change");
    }

    @Test
    void testRunsCaseFilesAndFailsOnAFailedCase() throws IOException {
        Path dir = policy("cli-tested", rule("net-a"));
        Path cases = Files.writeString(tmp.resolve("cli-tested.cases"), """
                policies cli-tested

                case tagged joins
                node b1 kind=BOARD sensors=temperature label.ptest=cli
                expect b1 overlay net-a

                case untagged does not
                node b2 kind=BOARD
                expect b2 overlay net-a
                """);

        assertThat(cli("test", dir.toString(), "--tests", cases.toString())).isEqualTo(1);
        assertThat(out).contains("PASS  tagged joins").contains("FAIL  untagged does not").contains("2 cases, 1 failed");
    }

    @Test
    void badUsageExitsWithTwo() {
        assertThat(cli("frobnicate")).isEqualTo(2);
        assertThat(cli("test", "somewhere")).isEqualTo(2); // --tests is required
        assertThat(cli()).isEqualTo(2);
    }

    @Test
    void anUnreachableControllerIsAClearFailure() throws IOException {
        Path dir = policy("cli-away", rule("net-a"));
        assertThat(PolicyCli.run(new String[]{"validate", dir.toString(), "--controller", "http://127.0.0.1:1",
                "--token-file", tokenFile.toString()}, writer(), errWriter())).isEqualTo(1);
    }

    private int cli(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--controller";
        all[args.length + 1] = "http://localhost:" + port;
        all[args.length + 2] = "--token-file";
        all[args.length + 3] = tokenFile.toString();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = PolicyCli.run(args.length == 0 ? new String[0] : all, new PrintWriter(o, true), new PrintWriter(e, true));
        out = o.toString();
        err = e.toString();
        return code;
    }

    private Path policy(String name, String drl) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("rules.drl"), drl);
        Files.writeString(dir.resolve("README.md"), "not a policy file: skipped");
        return dir;
    }

    private static String rule(String overlay) {
        return """
                package civitas.cli;
                rule "tagged nodes join"
                when
                    $n : Node( labels["ptest"] == "cli" )
                then
                    insertLogical(new OverlayMembership($n.getId(), "%s"));
                end
                """.formatted(overlay);
    }

    private static PrintWriter writer() {
        return new PrintWriter(new StringWriter(), true);
    }

    private static PrintWriter errWriter() {
        return new PrintWriter(new StringWriter(), true);
    }
}
