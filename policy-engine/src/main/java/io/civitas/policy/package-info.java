/**
 * Compiles, validates, tests and evaluates city policies (Drools) into per-node desired state.
 * Empty until the policy-engine issue lands; the module exists so the dependency direction holds.
 */
package io.civitas.policy;
