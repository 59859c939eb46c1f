package io.civitas.policy;

/**
 * One file of a policy: {@code path} ends in {@code .drl} (rules in Drools' language), {@code .dsl} (a
 * planner-language mapping) or {@code .dslr} (rules written as sentences of a mapping).
 */
public record PolicyFile(String path, String text) {}
