package io.civitas.policy;

import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;

import java.util.HashMap;
import java.util.Map;

/** Counts firings per rule during one evaluate, so a runaway policy can be named. */
final class FiringGuard extends DefaultAgendaEventListener {
    private final Map<String, Integer> firings = new HashMap<>();

    @Override
    public void afterMatchFired(AfterMatchFiredEvent event) {
        firings.merge(event.getMatch().getRule().getName(), 1, Integer::sum);
    }

    /** The rule that fired most since it was added: the loop's culprit. */
    String busiestRule() {
        return firings.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
    }
}
