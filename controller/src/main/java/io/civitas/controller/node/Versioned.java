package io.civitas.controller.node;

/** A znode's decoded content with the version to write it back with (compare-and-set). */
record Versioned<T>(T value, int version) {}
