package io.civitas.agent;

import io.civitas.protocol.Sensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AgentMainTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = AgentMain.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        return new Run(commandLine.execute(args), err.toString());
    }

    private static AgentConfig parse(String... args) {
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(args);
        return main.resolveConfig();
    }

    @Test
    void commandLineOverridesTheConfigFileKeyByKey() throws Exception {
        Path file = tmp.resolve("agent.properties");
        Files.writeString(file, """
                controllers = http://c1:8080, https://c2:8443/civitas
                token = from-file
                state-dir = /var/lib/civitas-agent
                sensors = pm25,no2
                backoff-initial-ms = 250
                """);

        AgentConfig fromFile = parse("--config", file.toString());
        assertThat(fromFile.controllers()).containsExactly(URI.create("http://c1:8080"),
                URI.create("https://c2:8443/civitas"));
        assertThat(fromFile.enrollmentToken()).isEqualTo("from-file");
        assertThat(fromFile.stateDir()).isEqualTo(Path.of("/var/lib/civitas-agent"));
        assertThat(fromFile.sensors()).isEqualTo(Set.of(Sensors.PM25, Sensors.NO2));
        assertThat(fromFile.initialBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(fromFile.maxBackoff()).isEqualTo(AgentConfig.DEFAULT_MAX_BACKOFF);

        AgentConfig overridden = parse("--config", file.toString(), "--token", "from-cli",
                "--controller", "http://c3:8080,http://c4:8080", "--state-dir", tmp.toString());
        assertThat(overridden.controllers()).containsExactly(URI.create("http://c3:8080"), URI.create("http://c4:8080"));
        assertThat(overridden.enrollmentToken()).isEqualTo("from-cli");
        assertThat(overridden.stateDir()).isEqualTo(tmp);
        assertThat(overridden.sensors()).isEqualTo(Set.of(Sensors.PM25, Sensors.NO2)); // not overridden: file wins
    }

    @Test
    void withoutAConfigFileTheDefaultsApply() {
        AgentConfig config = parse("--controller", "http://controller:8080");

        assertThat(config.controllers()).isEqualTo(List.of(URI.create("http://controller:8080")));
        assertThat(config.enrollmentToken()).isNull();
        assertThat(config.stateDir()).isEqualTo(AgentConfig.defaultStateDir());
        assertThat(config.sensors()).isEqualTo(Sensors.KNOWN.keySet());
        assertThat(config.initialBackoff()).isEqualTo(AgentConfig.DEFAULT_INITIAL_BACKOFF);
    }

    @Test
    void aControllerThatIsNotAnHttpUrlExitsWithUsageError() {
        Run run = run("--controller", "ftp://controller", "--state-dir", tmp.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("ftp://controller").contains("http(s)").doesNotContain("\tat ");
    }

    @Test
    void noControllerAtAllExitsWithUsageError() {
        Run run = run("--token", "t", "--state-dir", tmp.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("at least one controller").contains("--controller");
    }

    @Test
    void anUnknownSensorExitsWithUsageError() {
        Run run = run("--controller", "http://c:8080", "--sensors", "pm25,humidity", "--state-dir", tmp.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown sensor 'humidity'");
    }

    @Test
    void anUnreadableConfigFileExitsWithUsageError() {
        Run run = run("--config", tmp.resolve("missing.properties").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--config: cannot read");
    }

    @Test
    void anUnknownOptionExitsWithUsageError() {
        Run run = run("--controler", "http://c:8080");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option").contains("--controler").contains("--help");
    }

    @Test
    void noTokenAndNoStoredCredentialExitsWithUsageErrorAndSaysWhatToDo() {
        Run run = run("--controller", "http://127.0.0.1:9", "--state-dir", tmp.resolve("fresh").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no credential").contains("--token").doesNotContain("\tat ");
    }

    @Test
    void aDiscoveryUrlAloneIsEnoughAndABaseUrlMeansItsMembersEndpoint() {
        AgentConfig base = parse("--discovery", "http://c1:8080", "--state-dir", tmp.toString());
        assertThat(base.controllers()).isEmpty();
        assertThat(base.discovery()).isEqualTo(URI.create("http://c1:8080/api/v1/cluster/members"));

        AgentConfig full = parse("--discovery", "https://lb/civitas/api/v1/cluster/members",
                "--controller", "http://c2:8080", "--state-dir", tmp.toString());
        assertThat(full.discovery()).isEqualTo(URI.create("https://lb/civitas/api/v1/cluster/members"));
        assertThat(full.controllers()).containsExactly(URI.create("http://c2:8080"));
    }

    @Test
    void neitherControllerNorDiscoveryIsAUsageError() {
        Run run = run("--state-dir", tmp.toString(), "--token", "t");
        assertThat(run.exitCode()).isEqualTo(AgentMain.EXIT_USAGE);
        assertThat(run.err()).contains("controllers").contains("discovery");

        Run bad = run("--discovery", "ftp://c1", "--state-dir", tmp.toString(), "--token", "t");
        assertThat(bad.exitCode()).isEqualTo(AgentMain.EXIT_USAGE);
        assertThat(bad.err()).contains("discovery: 'ftp://c1'");
    }
}
