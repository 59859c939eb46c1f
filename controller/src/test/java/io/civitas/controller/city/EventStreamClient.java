package io.civitas.controller.city;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A browser's view of {@code /api/v1/events}: the stream read as it arrives, one SSE event at a time. */
final class EventStreamClient implements AutoCloseable {

    record Event(String name, String data) {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private final Thread reader;

    EventStreamClient(int port, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/events"))
                .header("Authorization", "Bearer " + token).build();
        response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        reader = new Thread(this::read, "test-sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    int status() {
        return response.statusCode();
    }

    String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    /** The next event named {@code name} whose data contains {@code text}, or null after {@code millis}. */
    Event await(String name, String text, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        for (long left = millis; left > 0; left = end - System.currentTimeMillis()) {
            Event e = events.poll(left, TimeUnit.MILLISECONDS);
            if (e != null && e.name().equals(name) && e.data().contains(text)) {
                return e;
            }
        }
        return null;
    }

    private void read() {
        String name = "message";
        StringBuilder data = new StringBuilder();
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    events.add(new Event(name, data.toString()));
                }
                name = "message";
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).trim());
            }
        }
    }

    @Override
    public void close() {
        response.body().close();
    }
}
