package io.civitas.controller.node;

/** WGS84 degrees. */
public record Location(double lat, double lon) {}
