package io.civitas.policy;

import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.runtime.KieContainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds policy files with Drools' KieBuilder. Each compile gets its own ReleaseId; once its KieBase exists
 * the module is removed from KieServices' global KieRepository, which would otherwise keep every module ever
 * built (a leak over many validations). The KieBase keeps what it needs.
 */
final class DroolsCompiler {
    private static final String ROOT = "src/main/resources/";
    /**
     * Appended, not prepended, to every .drl/.dslr: DRL accepts imports anywhere at the top level, and
     * appending keeps the planner's line numbers exact.
     */
    private static final String IMPORTS = "\nimport io.civitas.policy.facts.*;\nimport io.civitas.policy.decisions.*;\n";
    private static final AtomicLong COMPILES = new AtomicLong();
    private static final String CITY_DSL_TEXT = readCityDsl();

    private DroolsCompiler() {}

    static PolicySet compile(String name, List<PolicyFile> files) throws PolicyCompileException {
        KieServices ks = KieServices.Factory.get();
        ReleaseId releaseId = ks.newReleaseId("io.civitas.policy", "policy-" + COMPILES.incrementAndGet(), "1.0.0");
        KieFileSystem kfs = ks.newKieFileSystem();
        kfs.generateAndWritePomXML(releaseId);
        kfs.write(ROOT + Policies.CITY_DSL, CITY_DSL_TEXT);
        for (PolicyFile f : files) {
            String text = f.path().endsWith(".dsl") ? f.text() : f.text() + IMPORTS;
            kfs.write(ROOT + f.path(), text);
        }
        try {
            KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
            List<Message> messages = builder.getResults().getMessages(Message.Level.ERROR);
            List<PolicyError> sentences = SentenceCheck.check(files, CITY_DSL_TEXT);
            if (!messages.isEmpty() || !sentences.isEmpty()) {
                throw new PolicyCompileException(ErrorMessages.merge(sentences, errors(messages), files));
            }
            KieContainer container = ks.newKieContainer(releaseId);
            KieBase kieBase = container.getKieBase();
            return new DroolsPolicySet(name, files, kieBase);
        } catch (RuntimeException e) {
            // Drools throws bare exceptions for some inputs it cannot parse at all; a planner still gets an error.
            throw new PolicyCompileException(List.of(new PolicyError("", 0, 0, "Drools failed: " + e)));
        } finally {
            ks.getRepository().removeKieModule(releaseId);
        }
    }

    private static List<PolicyError> errors(List<Message> messages) {
        Set<PolicyError> errors = new LinkedHashSet<>(); // Drools repeats some messages
        for (Message m : messages) {
            String path = m.getPath() == null ? "" : m.getPath();
            path = path.startsWith(ROOT) ? path.substring(ROOT.length()) : path;
            errors.add(new PolicyError(path, Math.max(0, m.getLine()), Math.max(0, m.getColumn()),
                    m.getText() == null ? "" : m.getText().strip()));
        }
        return new ArrayList<>(errors);
    }

    static String cityDsl() {
        return CITY_DSL_TEXT;
    }

    private static String readCityDsl() {
        try (InputStream in = DroolsCompiler.class.getResourceAsStream("city.dsl")) {
            if (in == null) {
                throw new IllegalStateException("city.dsl is missing from the policy-engine jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
