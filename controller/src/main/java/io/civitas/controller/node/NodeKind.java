package io.civitas.controller.node;

/** What a node is: a board in the street or a VM host in the cloud. */
public enum NodeKind { BOARD, VM }
