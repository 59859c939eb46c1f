package io.civitas.controller.city;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One browser's event stream: a bounded queue and its own sender thread, so a slow client blocks only
 * itself; the controller's threads only offer. A client whose queue fills is dropped (it reconnects and
 * reloads the topology), never waited for.
 */
final class EventClient {

    /** One event (name and JSON data) or, with a null name, a comment line. Built per client: Spring's builders are single use. */
    record Frame(String name, String data) {
        static Frame comment(String text) {
            return new Frame(null, text);
        }

        SseEmitter.SseEventBuilder build() {
            return name == null ? SseEmitter.event().comment(data)
                    : SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON);
        }
    }

    static final int QUEUE = 2048;

    private final SseEmitter emitter;
    private final BlockingQueue<Frame> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Runnable onClose;
    private volatile boolean closed;

    EventClient(SseEmitter emitter, Runnable onClose, String name) {
        this.emitter = emitter;
        this.onClose = onClose;
        Thread sender = new Thread(this::send, name);
        sender.setDaemon(true);
        sender.start();
    }

    /** Never blocks; false (and the client is dropped) when it has fallen too far behind. */
    boolean offer(Frame event) {
        if (closed) {
            return false;
        }
        if (!queue.offer(event)) {
            close();
            emitter.complete();
            return false;
        }
        return true;
    }

    /** Stops the sender; called on completion, timeout and error of the emitter too. */
    void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }

    private void send() {
        try {
            while (!closed) {
                Frame event = queue.poll(1, TimeUnit.SECONDS);
                if (event != null && !closed) {
                    emitter.send(event.build());
                }
            }
        } catch (Exception gone) {
            close();
            emitter.completeWithError(gone);
        }
    }
}
