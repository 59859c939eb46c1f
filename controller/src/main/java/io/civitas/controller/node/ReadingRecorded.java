package io.civitas.controller.node;

import io.civitas.protocol.SensorReading;

/** A Spring application event: a reading of this node reached this controller (the policy evaluator listens). */
public record ReadingRecorded(String nodeId, SensorReading reading) {}
