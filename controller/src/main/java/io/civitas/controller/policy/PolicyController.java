package io.civitas.controller.policy;

import io.civitas.controller.policy.PolicyRequests.PolicyBody;
import io.civitas.controller.policy.PolicyRequests.TestBody;
import io.civitas.controller.system.ApiException;
import io.civitas.policy.PolicyFile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/policies}: planners' policies with versions; validate, test and dry-run drafts; activate
 * a version (rollback = activating an older one) or deactivate a policy. Compile errors are 422 with
 * {@code errors: [{file, line, column, message}]}; nothing is stored or changed by a refused request.
 */
@RestController
@RequestMapping("/api/v1")
class PolicyController {

    record Created(String name, int version) {}

    record Summary(String name, int latestVersion, Integer activeVersion) {}

    record VersionView(int version, Instant createdAt) {}

    record PolicyView(String name, List<VersionView> versions, Integer activeVersion) {}

    record Source(String name, int version, Instant createdAt, List<PolicyZnodes.StoredFile> files) {}

    record Valid(boolean valid) {}

    record ActivationView(Map<String, Integer> active, Map<String, Integer> running, String evaluationError) {}

    private final PolicyStore store;
    private final ActivationStore activations;
    private final PolicyCompiler compiler;
    private final Activations activator;
    private final DryRuns dryRuns;
    private final PolicyTesting testing;
    private final PolicyEvaluator evaluator;

    PolicyController(PolicyStore store, ActivationStore activations, PolicyCompiler compiler, Activations activator,
                     DryRuns dryRuns, PolicyTesting testing, PolicyEvaluator evaluator) {
        this.store = store;
        this.activations = activations;
        this.compiler = compiler;
        this.activator = activator;
        this.dryRuns = dryRuns;
        this.testing = testing;
        this.evaluator = evaluator;
    }

    /** A new policy, or a new version of one: stored only when it compiles. */
    @PostMapping("/policies")
    ResponseEntity<Created> push(@RequestBody PolicyBody body) {
        String name = PolicyInput.name(body.name());
        List<PolicyFile> files = PolicyInput.files(body.files());
        compiler.compile(name, files);
        int version = store.add(name, files);
        return ResponseEntity.created(URI.create("/api/v1/policies/" + name + "/versions/" + version))
                .body(new Created(name, version));
    }

    @GetMapping("/policies")
    List<Summary> list() {
        Map<String, Integer> active = activations.read().activation().active();
        return store.names().stream()
                .flatMap(name -> store.latest(name).map(v -> new Summary(name, v, active.get(name))).stream())
                .toList();
    }

    @GetMapping("/policies/{name}")
    PolicyView get(@PathVariable String name) {
        List<VersionView> versions = store.versions(checkedName(name)).orElseThrow(() -> Activations.unknown(name))
                .stream().map(v -> new VersionView(v.version(), Instant.ofEpochMilli(v.createdAtMillis()))).toList();
        return new PolicyView(name, versions, activations.read().activation().active().get(name));
    }

    @GetMapping("/policies/{name}/versions/{version}")
    Source source(@PathVariable String name, @PathVariable int version) {
        PolicyZnodes.Version stored = store.version(checkedName(name), version).orElseThrow(() ->
                ApiException.notFound("policy '" + name + "' has no version " + version));
        return new Source(name, version, Instant.ofEpochMilli(stored.createdAtMillis()), stored.files());
    }

    @PostMapping("/policies/validate")
    Valid validate(@RequestBody PolicyBody body) {
        compiler.compile(PolicyInput.name(body.name()), PolicyInput.files(body.files()));
        return new Valid(true);
    }

    @PostMapping("/policies/test")
    PolicyTesting.Result test(@RequestBody TestBody body) {
        String name = PolicyInput.name(body.name());
        return testing.run(name, PolicyInput.files(body.files()), body.tests());
    }

    @PostMapping("/policies/dry-run")
    DryRuns.Result dryRun(@RequestBody PolicyBody body) {
        return dryRuns.run(PolicyInput.name(body.name()), PolicyInput.files(body.files()));
    }

    @PostMapping("/policies/{name}/activate")
    Activations.Result activate(@PathVariable String name, @RequestParam(required = false) Integer version) {
        return activator.activate(name, version);
    }

    @PostMapping("/policies/{name}/deactivate")
    Activations.Result deactivate(@PathVariable String name) {
        return activator.deactivate(name);
    }

    /** The activation record, what this controller's evaluation runs, and why it stopped if it did. */
    @GetMapping("/policy-activation")
    ActivationView activation() {
        PolicyEvaluator.Status status = evaluator.status();
        return new ActivationView(activations.read().activation().active(), status.active(), status.error());
    }

    private static String checkedName(String name) {
        if (!PolicyInput.NAME.matcher(name).matches()) {
            throw Activations.unknown(name);
        }
        return name;
    }
}
