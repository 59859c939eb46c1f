package io.civitas.protocol;

/** {@code POST /api/v1/enroll}: an agent trades a one-time enrollment token for its credential. */
public record EnrollRequest(String token, int protocolVersion) {}
