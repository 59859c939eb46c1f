package io.civitas.protocol;

/** What an agent reports after applying a {@link DesiredState}: the generation now in effect. */
public record AppliedState(String nodeId, long generation, long appliedAtMillis) {}
