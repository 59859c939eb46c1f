package io.civitas.controller.wamp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Small builders for the JSON details objects WAMP messages carry. */
final class Json {
    private Json() {}

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** {@code {"message": text}}: how WAMP ABORT, GOODBYE and ERROR details explain themselves. */
    static ObjectNode message(String text) {
        return object().put("message", text);
    }
}
