package io.civitas.controller.system;

/** One thing wrong with a request, named by its JSON path (e.g. {@code sampling[1].sensor}). */
public record FieldProblem(String field, String message) {}
