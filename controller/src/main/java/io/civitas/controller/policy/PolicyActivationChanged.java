package io.civitas.controller.policy;

import java.util.Map;

/** The activation record changed (on this controller or another): which version of which policy is active now. */
public record PolicyActivationChanged(Map<String, Integer> active) {}
