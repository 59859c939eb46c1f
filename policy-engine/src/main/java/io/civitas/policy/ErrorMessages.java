package io.civitas.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Drools' messages into errors a planner can act on: the column that Drools leaves in the text
 * ("Line 4:23", 0-based) becomes the error's column (1-based); an unknown fact field is named and located
 * on its line; noise that repeats another error ("Parser returned a null Package") goes.
 */
final class ErrorMessages {
    private static final Pattern PARSER_POSITION = Pattern.compile("Line (\\d+):(\\d+)");
    private static final Pattern UNKNOWN_FIELD =
            Pattern.compile("unable to resolve method using strict-mode: [\\w.$]*?(\\w+)\\.(\\w+)\\(\\)");

    private ErrorMessages() {}

    /**
     * Our sentence errors first; Drools' errors on the same .dslr line are dropped (their columns point into
     * the expanded text, which the planner never sees).
     */
    static List<PolicyError> merge(List<PolicyError> sentences, List<PolicyError> drools, List<PolicyFile> files) {
        Map<String, String[]> lines = new HashMap<>();
        for (PolicyFile f : files) {
            lines.put(f.path(), f.text().split("\n", -1));
        }
        Set<String> flagged = new HashSet<>();
        sentences.forEach(e -> flagged.add(e.file() + ":" + e.line()));
        Set<PolicyError> out = new LinkedHashSet<>(sentences);
        for (PolicyError e : drools) {
            if (flagged.contains(e.file() + ":" + e.line())) {
                continue;
            }
            out.add(refine(e, lines.get(e.file())));
        }
        if (out.stream().anyMatch(e -> !e.message().startsWith("Parser returned a null Package"))) {
            out.removeIf(e -> e.message().startsWith("Parser returned a null Package"));
        }
        return new ArrayList<>(out);
    }

    static PolicyError refine(PolicyError e, String[] source) {
        String message = e.message();
        int line = e.line();
        int column = e.column();
        Matcher field = UNKNOWN_FIELD.matcher(message);
        if (field.find()) {
            String type = field.group(1);
            String name = field.group(2);
            String first = message.lines().findFirst().orElse("").replaceAll(":$", "");
            message = "unknown field '" + name + "' of " + type + " (" + first + ")";
            column = columnOf(source, line, name);
        } else {
            Matcher pos = PARSER_POSITION.matcher(message);
            if (pos.find() && column == 0 && Integer.parseInt(pos.group(1)) == line) {
                column = Integer.parseInt(pos.group(2)) + 1;
            }
            message = oneLine(message);
        }
        return new PolicyError(e.file(), line, column, message);
    }

    /** Drools' messages span lines (an ASCII caret under the expression); an API error is one line. */
    private static String oneLine(String message) {
        String flat = message.replaceAll("\\s*\\n\\s*", " ").strip();
        return flat.length() <= 300 ? flat : flat.substring(0, 297) + "...";
    }

    /** 1-based column of the word on the line, or 0 when it cannot be found. */
    private static int columnOf(String[] source, int line, String word) {
        if (source == null || line < 1 || line > source.length) {
            return 0;
        }
        Matcher m = Pattern.compile("\\b" + Pattern.quote(word) + "\\b").matcher(source[line - 1]);
        return m.find() ? m.start() + 1 : 0;
    }
}
