package io.civitas.overlay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 commands, optionally inside a network namespace. */
final class Shell {

    record Result(int exit, String stdout, String stderr) {}

    private static final long TIMEOUT_SECONDS = 10;
    private final List<String> prefix;

    /** @param netns a network namespace to run in ({@code ip netns exec NS ...}), or null for the current one */
    Shell(String netns) {
        this.prefix = netns == null ? List.of() : List.of("ip", "netns", "exec", netns);
    }

    /** Runs and returns whatever happened; for reads whose failure means "absent". */
    Result run(String... command) {
        List<String> line = new ArrayList<>(prefix);
        line.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(line).start();
            p.getOutputStream().close();
            // stderr read on the side, so a chatty command cannot fill a pipe and block on it.
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            String out = drain(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new DatapathException("command timed out after " + TIMEOUT_SECONDS + " s: " + String.join(" ", line));
            }
            return new Result(p.exitValue(), out, err.join().strip());
        } catch (IOException e) {
            throw new DatapathException("cannot run " + String.join(" ", line) + ": " + e.getMessage()
                    + " (is iproute2 installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatapathException("interrupted running " + String.join(" ", line), e);
        }
    }

    /** Runs and fails with the command line and its stderr unless it exits 0. */
    String check(String... command) {
        Result r = run(command);
        if (r.exit() != 0) {
            List<String> line = new ArrayList<>(prefix);
            line.addAll(List.of(command));
            throw new DatapathException("command failed (exit " + r.exit() + "): " + String.join(" ", line)
                    + ": " + (r.stderr().isEmpty() ? "(no stderr)" : r.stderr()));
        }
        return r.stdout();
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
