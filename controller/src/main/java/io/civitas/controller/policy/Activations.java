package io.civitas.controller.policy;

import io.civitas.controller.policy.ActivationStore.Current;
import io.civitas.controller.policy.PolicyZnodes.Activation;
import io.civitas.controller.system.ApiException;
import io.civitas.policy.PolicySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Activating and deactivating policy versions. In order, each step refusing with nothing changed:
 * compile the would-be active set (422), evaluate it over the live facts (422 for a loop or a conflict),
 * write the activation record with its version check (409 when another activation came first); then the
 * evaluator takes the new set and the changed decisions flow into desired states. Rollback is activating
 * an older version.
 */
@Service
class Activations {

    private static final Logger log = LoggerFactory.getLogger(Activations.class);

    /** What an activation did; {@code changedNodes} counts nodes whose desired state changed. */
    record Result(String name, Integer version, Map<String, Integer> active, int changedNodes) {}

    private final PolicyStore store;
    private final ActivationStore activations;
    private final PolicyCompiler compiler;
    private final PolicyEvaluator evaluator;

    Activations(PolicyStore store, ActivationStore activations, PolicyCompiler compiler, PolicyEvaluator evaluator) {
        this.store = store;
        this.activations = activations;
        this.compiler = compiler;
        this.evaluator = evaluator;
    }

    /** Activates {@code version} of the policy, or its latest version when null. */
    Result activate(String name, Integer version) {
        int latest = store.latest(PolicyInput.name(name)).orElseThrow(() -> unknown(name));
        int wanted = version == null ? latest : version;
        if (wanted < 1 || store.version(name, wanted).isEmpty()) {
            throw ApiException.notFound("policy " + name + " has no version " + wanted + " (latest is " + latest + ")");
        }
        Current current = activations.read();
        Map<String, Integer> next = new TreeMap<>(current.activation().active());
        next.put(name, wanted);
        return change(name, wanted, current, next);
    }

    Result deactivate(String name) {
        store.latest(PolicyInput.name(name)).orElseThrow(() -> unknown(name));
        Current current = activations.read();
        if (!current.activation().active().containsKey(name)) {
            return new Result(name, null, current.activation().active(), 0);
        }
        Map<String, Integer> next = new TreeMap<>(current.activation().active());
        next.remove(name);
        return change(name, null, current, next);
    }

    private Result change(String name, Integer version, Current current, Map<String, Integer> next) {
        long t0 = System.nanoTime();
        PolicySet set = compiler.compileSet(next, null, null);
        long t1 = System.nanoTime();
        PolicyEvaluator.Checked checked = evaluator.check(set);
        log.debug("Activation of {}: compiled in {} ms, checked in {} ms", next, (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
        int recordVersion;
        try {
            recordVersion = activations.write(current, new Activation(next));
        } catch (RuntimeException e) {
            evaluator.discard(checked);
            throw e;
        }
        try {
            int changed = evaluator.install(set, next, recordVersion, checked).get(60, TimeUnit.SECONDS);
            return new Result(name, version, next, changed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while the new policies were being applied; they are active");
        } catch (ExecutionException | TimeoutException e) {
            throw ApiException.unavailable("the activation is recorded, but applying it is still under way or failed ("
                    + e + "); GET /api/v1/policy-activation shows the state");
        }
    }

    static ApiException unknown(String name) {
        return ApiException.notFound("no policy named '" + name + "'");
    }
}
