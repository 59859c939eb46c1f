package io.civitas.controller.policy;

import io.civitas.controller.policy.ActivationStore.Current;
import io.civitas.policy.PolicySet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Keeps the evaluator on the activation record: loads the active set at start, and again whenever the
 * record changes to a version the evaluator does not run yet (another controller activated, or this one's
 * own install is still on its way: then the second install is a no-op). Starts after the evaluator.
 * Every change is also published as {@link PolicyActivationChanged}, so others need no watch of their own.
 */
@Component
class ActivationWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ActivationWatcher.class);

    private final ActivationStore activations;
    private final PolicyCompiler compiler;
    private final PolicyEvaluator evaluator;
    private final ApplicationEventPublisher events;
    private final CuratorCache cache;
    private final ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "policy-activation-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running;

    ActivationWatcher(CuratorFramework zk, ActivationStore activations, PolicyCompiler compiler,
                      PolicyEvaluator evaluator, ApplicationEventPublisher events) {
        this.events = events;
        this.activations = activations;
        this.compiler = compiler;
        this.evaluator = evaluator;
        this.cache = CuratorCache.build(zk, PolicyZnodes.ACTIVATION, CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> loader.execute(this::loadIfNewer))
                .build(), loader);
    }

    @Override
    public void start() {
        running = true;
        loader.execute(this::loadIfNewer);
        cache.start();
    }

    private void loadIfNewer() {
        try {
            Current current = activations.read();
            events.publishEvent(new PolicyActivationChanged(current.activation().active()));
            if (current.zkVersion() <= evaluator.recordVersion()) {
                return;
            }
            PolicySet set = compiler.compileSet(current.activation().active(), null, null);
            evaluator.install(set, current.activation().active(), current.zkVersion(), null).join();
        } catch (RuntimeException e) {
            log.error("Could not load the active policies {}: {}", activations.read().activation().active(),
                    e.getMessage());
        }
    }

    @Override
    public void stop() {
        running = false;
        cache.close();
        loader.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
