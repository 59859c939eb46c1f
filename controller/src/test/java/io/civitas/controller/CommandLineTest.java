package io.civitas.controller;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineTest {

    @Test
    void launcherOptionsBecomeSpringProperties() {
        assertThat(CommandLine.toSpringArgs(new String[] {"--port", "8080", "--data", "/var/lib/civitas",
                "--zookeeper=zk1:2181,zk2:2181", "--wamp-port", "0", "--server.ssl.enabled=true"}))
                .containsExactly("--server.port=8080", "--civitas.data-dir=/var/lib/civitas",
                        "--civitas.zookeeper=zk1:2181,zk2:2181", "--civitas.wamp.port=0", "--server.ssl.enabled=true");
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> CommandLine.toSpringArgs(new String[] {"--port", "eighty"}))
                .hasMessage("--port needs a port number from 0 to 65535, not 'eighty'");
        assertThatThrownBy(() -> CommandLine.toSpringArgs(new String[] {"--port", "70000"}))
                .hasMessageContaining("from 0 to 65535");
        assertThatThrownBy(() -> CommandLine.toSpringArgs(new String[] {"--data"}))
                .hasMessage("--data needs a value");
        assertThatThrownBy(() -> CommandLine.toSpringArgs(new String[] {"--data", "--port", "1"}))
                .hasMessage("--data needs a value");
        assertThatThrownBy(() -> CommandLine.toSpringArgs(new String[] {"--prot", "8080"}))
                .hasMessage("unknown option '--prot'");
        assertThatThrownBy(() -> CommandLine.toSpringArgs(new String[] {"8080"}))
                .hasMessage("unexpected argument '8080'");
    }

    @Test
    void helpIsNotAnError() {
        assertThatThrownBy(() -> CommandLine.toSpringArgs(new String[] {"--help"}))
                .isInstanceOf(CommandLine.HelpRequested.class);
    }
}
