package io.civitas.controller.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** The subcommands of {@link PolicyCli}, one REST call each. */
final class PolicyCommands {

    private PolicyCommands() {}

    /** What every subcommand shares: the parent's options, output, and turning failures into exit codes. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        PolicyCli cli;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public Integer call() throws IOException {
            try {
                return run(cli.client());
            } catch (ControllerClient.Failure failure) {
                return PolicyCli.fail(spec.commandLine().getErr(), failure);
            }
        }

        abstract int run(ControllerClient client) throws IOException, ControllerClient.Failure;
    }

    @Command(name = "validate", description = "Compile a policy folder on the controller; print its errors.")
    static final class Validate extends Base {
        @Parameters(paramLabel = "DIR", description = "the policy folder (its name is the policy's name)")
        Path dir;

        @Override
        int run(ControllerClient client) throws IOException, ControllerClient.Failure {
            ObjectNode policy = PolicyCli.policy(dir);
            client.post("api/v1/policies/validate", policy);
            out().println(policy.get("name").asText() + ": valid");
            return 0;
        }
    }

    @Command(name = "test", description = "Run test cases against a policy folder.")
    static final class Test extends Base {
        @Parameters(paramLabel = "DIR", description = "the policy folder")
        Path dir;
        @Option(names = "--tests", arity = "1..*", required = true, paramLabel = "FILE", description = "test case files")
        List<Path> tests;

        @Override
        int run(ControllerClient client) throws IOException, ControllerClient.Failure {
            ObjectNode request = PolicyCli.policy(dir);
            ArrayNode files = request.putArray("tests");
            for (Path t : tests) {
                files.addObject().put("file", t.getFileName().toString()).put("text", Files.readString(t));
            }
            JsonNode result = client.post("api/v1/policies/test", request);
            for (JsonNode c : result.get("cases")) {
                out().printf("%s  %s (%s:%d)%n", c.get("result").asText(), c.get("name").asText(),
                        c.path("file").asText(), c.path("line").asInt());
                c.get("differences").forEach(d -> out().println("      " + d.asText()));
            }
            out().printf("%d cases, %d failed%n", result.get("total").asInt(), result.get("failed").asInt());
            return result.get("passed").asBoolean() ? 0 : 1;
        }
    }

    @Command(name = "dry-run", description = "Show per node what activating this draft would add and remove; changes nothing.")
    static final class DryRun extends Base {
        @Parameters(paramLabel = "DIR", description = "the policy folder")
        Path dir;

        @Override
        int run(ControllerClient client) throws IOException, ControllerClient.Failure {
            JsonNode result = client.post("api/v1/policies/dry-run", PolicyCli.policy(dir));
            for (JsonNode node : result.get("changes")) {
                out().printf("%s (%s)%n", node.path("name").asText(), node.get("nodeId").asText());
                JsonNode c = node.get("changes");
                c.path("overlaysAdded").forEach(o -> out().println("  + overlay " + o.asText()));
                c.path("overlaysRemoved").forEach(o -> out().println("  - overlay " + o.asText()));
                c.path("sampling").fields().forEachRemaining(e -> out().printf("  ~ sampling %s: %s -> %s%n",
                        e.getKey(), period(e.getValue().get("beforeMillis")), period(e.getValue().get("afterMillis"))));
                c.path("exposuresAdded").forEach(o -> out().println("  + exposure " + o.asText()));
                c.path("exposuresRemoved").forEach(o -> out().println("  - exposure " + o.asText()));
                c.path("alertsAdded").forEach(o -> out().println("  + alert " + o.asText()));
                c.path("alertsRemoved").forEach(o -> out().println("  - alert " + o.asText()));
                if (!c.path("quarantineBefore").asText("").equals(c.path("quarantineAfter").asText(""))) {
                    out().printf("  ~ quarantine: %s -> %s%n", c.path("quarantineBefore").asText("none"),
                            c.path("quarantineAfter").asText("none"));
                }
            }
            out().printf("%d of %d nodes would change%n", result.get("changedNodes").asInt(), result.get("nodes").asInt());
            return 0;
        }

        private static String period(JsonNode millis) {
            return millis == null || millis.isNull() ? "none" : millis.asLong() + " ms";
        }
    }

    @Command(name = "push", description = "Store the folder as the policy's next version (only if it compiles).")
    static final class Push extends Base {
        @Parameters(paramLabel = "DIR", description = "the policy folder")
        Path dir;

        @Override
        int run(ControllerClient client) throws IOException, ControllerClient.Failure {
            JsonNode created = client.post("api/v1/policies", PolicyCli.policy(dir));
            out().printf("pushed %s version %d%n", created.get("name").asText(), created.get("version").asInt());
            return 0;
        }
    }

    @Command(name = "activate", description = "Activate a version of a policy (default: its latest); an older one rolls back.")
    static final class Activate extends Base {
        @Parameters(paramLabel = "NAME", description = "the policy's name")
        String name;
        @Option(names = "--version", paramLabel = "N", description = "the version to activate (default: the latest)")
        Integer version;

        @Override
        int run(ControllerClient client) throws ControllerClient.Failure {
            String query = version == null ? "" : "?version=" + version;
            JsonNode result = client.post("api/v1/policies/" + name + "/activate" + query, null);
            out().printf("activated %s version %d; %d nodes changed; active now: %s%n", name,
                    result.get("version").asInt(), result.get("changedNodes").asInt(), result.get("active"));
            return 0;
        }
    }

    @Command(name = "deactivate", description = "Deactivate a policy.")
    static final class Deactivate extends Base {
        @Parameters(paramLabel = "NAME", description = "the policy's name")
        String name;

        @Override
        int run(ControllerClient client) throws ControllerClient.Failure {
            JsonNode result = client.post("api/v1/policies/" + name + "/deactivate", null);
            out().printf("deactivated %s; %d nodes changed; active now: %s%n", name,
                    result.get("changedNodes").asInt(), result.get("active"));
            return 0;
        }
    }

    @Command(name = "list", description = "List the policies with their latest and active versions.")
    static final class ListPolicies extends Base {
        @Override
        int run(ControllerClient client) throws ControllerClient.Failure {
            JsonNode policies = client.get("api/v1/policies");
            out().printf("%-32s %7s %7s%n", "NAME", "LATEST", "ACTIVE");
            for (JsonNode p : policies) {
                out().printf("%-32s %7d %7s%n", p.get("name").asText(), p.get("latestVersion").asInt(),
                        p.get("activeVersion").isNull() ? "-" : p.get("activeVersion").asText());
            }
            return 0;
        }
    }
}
