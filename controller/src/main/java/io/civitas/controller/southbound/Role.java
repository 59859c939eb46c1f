package io.civitas.controller.southbound;

/** This controller's role towards one switch, as the switch last confirmed it (UNKNOWN before any ROLE_REPLY). */
public enum Role { UNKNOWN, MASTER, SLAVE, EQUAL }
