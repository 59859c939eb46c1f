package io.civitas.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks that every line of a .dslr rule's when/then part is one whole sentence of a mapping. Drools'
 * expander substitutes sentences inside a line, so "a board in the sky" half-expands ("a board" matches)
 * and Drools then reports a parser error with a column in text the planner never wrote; this check names
 * the line instead. A line starting with '>' is plain DRL and is not checked.
 */
final class SentenceCheck {
    private static final Pattern ENTRY = Pattern.compile("^\\s*\\[(\\w+)\\](?:\\[[^\\]]*\\])?(.*?)(?<!\\\\)=(.*)$");
    private static final Pattern VARIABLE = Pattern.compile("\\{\\w+(?::[^}]*)?\\}");

    private SentenceCheck() {}

    static List<PolicyError> check(List<PolicyFile> files, String cityDsl) {
        List<Pattern> sentences = new ArrayList<>();
        try {
            addSentences(cityDsl, sentences);
            for (PolicyFile f : files) {
                if (f.path().endsWith(".dsl")) {
                    addSentences(f.text(), sentences);
                }
            }
        } catch (PatternSyntaxException e) {
            return List.of(); // a mapping we cannot read as patterns: leave the judgement to Drools
        }
        List<PolicyError> errors = new ArrayList<>();
        for (PolicyFile f : files) {
            if (f.path().endsWith(".dslr")) {
                checkFile(f, sentences, errors);
            }
        }
        return errors;
    }

    private static void addSentences(String dsl, List<Pattern> into) {
        for (String line : dsl.split("\n")) {
            Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                String key = m.group(2).strip();
                StringBuilder regex = new StringBuilder("^\\s*");
                Matcher v = VARIABLE.matcher(key);
                int at = 0;
                while (v.find()) {
                    regex.append(key, at, v.start()).append("(.+?)");
                    at = v.end();
                }
                regex.append(key.substring(at)).append("\\s*$");
                into.add(Pattern.compile(regex.toString()));
            }
        }
    }

    private static void checkFile(PolicyFile f, List<Pattern> sentences, List<PolicyError> errors) {
        String[] lines = f.text().split("\n", -1);
        boolean inBody = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replace("\r", "");
            String t = line.strip();
            if (t.startsWith("#")) { // older Drools took '#' comments; Drools 10's parser does not
                errors.add(new PolicyError(f.path(), i + 1, line.indexOf('#') + 1, "a comment starts with // (not #)"));
            } else if (t.startsWith("rule ") || t.equals("end")) {
                inBody = false;
            } else if (t.equals("when") || t.equals("then")) {
                inBody = true;
            } else if (inBody && !t.isEmpty() && !t.startsWith("//") && !t.startsWith(">")
                    && sentences.stream().noneMatch(p -> p.matcher(line).matches())) {
                int column = line.indexOf(t) + 1;
                errors.add(new PolicyError(f.path(), i + 1, column, "Unable to expand: '" + t
                        + "' is not a sentence of the city's language (see city.dsl)"));
            }
        }
    }
}
