package io.civitas.controller.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.civitas.policy.Policies;
import io.civitas.policy.PolicyFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./civitas policy ...}: the policy API for planners' scripts. A policy is a folder of .drl, .dsl
 * and .dslr files, named after the folder. Errors print as {@code file:line:column: message}; exit 0 on
 * success, 1 on a refused policy, a failed test or an unreachable controller, 2 on bad usage.
 */
@Command(name = "civitas policy", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Validate, test, dry-run, push and activate city policies on a Civitas controller.",
        subcommands = {PolicyCommands.Validate.class, PolicyCommands.Test.class, PolicyCommands.DryRun.class,
                PolicyCommands.Push.class, PolicyCommands.Activate.class, PolicyCommands.Deactivate.class,
                PolicyCommands.ListPolicies.class})
public final class PolicyCli implements Callable<Integer> {

    static final String DEFAULT_TOKEN_FILE = ".civitas/demo/admin-token";

    @Option(names = "--controller", defaultValue = "http://localhost:8080", scope = CommandLine.ScopeType.INHERIT,
            description = "the controller's base URL (default: ${DEFAULT-VALUE})")
    String controller;

    @Option(names = "--token-file", defaultValue = DEFAULT_TOKEN_FILE, scope = CommandLine.ScopeType.INHERIT,
            description = "file holding the admin token (default: ${DEFAULT-VALUE})")
    Path tokenFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code (tests call this). */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new PolicyCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("civitas policy: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    ControllerClient client() throws IOException {
        Path file = tokenFile;
        String root = System.getenv("CIVITAS_ROOT");
        if (!Files.exists(file) && !file.isAbsolute() && root != null && Files.exists(Path.of(root).resolve(file))) {
            file = Path.of(root).resolve(file); // the script runs us from anywhere; the demo's token is in the repo
        }
        if (!Files.isReadable(file)) {
            throw new IOException("no admin token in " + file + " (--token-file FILE)");
        }
        return new ControllerClient(URI.create(controller.endsWith("/") ? controller : controller + "/"),
                Files.readString(file).trim());
    }

    /** {"name": folder name, "files": [{path, text}]} for a policy folder. */
    static ObjectNode policy(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder (a policy is a folder of .drl, .dsl and .dslr files)");
        }
        List<PolicyFile> files = Policies.load(dir);
        if (files.isEmpty()) {
            throw new IOException(dir + " has no .drl, .dsl or .dslr file");
        }
        ObjectNode body = ControllerClient.JSON.createObjectNode()
                .put("name", dir.toAbsolutePath().normalize().getFileName().toString());
        ArrayNode array = body.putArray("files");
        files.forEach(f -> array.addObject().put("path", f.path()).put("text", f.text()));
        return body;
    }

    /** Prints a refusal: each policy error as file:line:column: message, else the problem's detail. */
    static int fail(PrintWriter err, ControllerClient.Failure failure) {
        JsonNode errors = failure.problem == null ? null : failure.problem.get("errors");
        if (errors != null && errors.isArray() && errors.size() > 0 && errors.get(0).has("line")) {
            for (JsonNode e : errors) {
                err.printf("%s:%d:%d: %s%n", e.path("file").asText(), e.path("line").asInt(),
                        e.path("column").asInt(), e.path("message").asText());
            }
        } else {
            err.println("civitas policy: " + failure.getMessage());
        }
        err.flush();
        return 1;
    }
}
