package io.civitas.agent;

import picocli.CommandLine;

/** The shared command-line setup: a bad argument prints one clear line and exits 2, no usage wall. */
final class Cli {
    private Cli() {}

    static CommandLine of(Object command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setParameterExceptionHandler((error, args) -> {
            CommandLine failed = error.getCommandLine();
            failed.getErr().println(failed.getCommandName() + ": " + error.getMessage());
            failed.getErr().println("Run '" + failed.getCommandName() + " --help' for the options.");
            return CommandLine.ExitCode.USAGE;
        });
        return commandLine;
    }
}
