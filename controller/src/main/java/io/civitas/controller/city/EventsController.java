package io.civitas.controller.city;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/v1/events}: Server-Sent Events, authenticated by the bearer header like every API
 * call (browsers read it with fetch() streaming; a token is never taken from the URL).
 */
@RestController
class EventsController {

    private final CityEvents events;

    EventsController(CityEvents events) {
        this.events = events;
    }

    @GetMapping(path = "/api/v1/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events() {
        return events.connect();
    }
}
