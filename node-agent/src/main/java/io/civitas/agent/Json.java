package io.civitas.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson 2 mapper of the agent (Jawampa speaks Jackson 2). */
final class Json {
    /** Tolerates fields it does not know, so a newer controller can add fields without breaking old agents. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {}
}
