package io.civitas.agent;

import io.civitas.protocol.Bootstrap;
import io.civitas.protocol.ClusterMembers;
import io.civitas.protocol.EnrollRequest;
import io.civitas.protocol.EnrollResponse;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The public REST calls an agent makes: discovery (which controllers live), bootstrap (where is their WAMP router), enroll. */
final class ControllerHttp {
    static final String BOOTSTRAP_PATH = "/api/v1/agent/bootstrap";
    static final String ENROLL_PATH = "/api/v1/enroll";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;

    ControllerHttp(javax.net.ssl.SSLContext tls) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .sslContext(tls)
                .build();
    }

    Bootstrap bootstrap(URI controller) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(resolve(controller, BOOTSTRAP_PATH))
                .timeout(TIMEOUT).header("Accept", "application/json").GET().build();
        return send(request, Bootstrap.class, "bootstrap at " + controller);
    }

    /** The live controllers, from a discovery URL (a controller's {@link ClusterMembers#PATH}). */
    ClusterMembers members(URI discovery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(discovery)
                .timeout(TIMEOUT).header("Accept", "application/json").GET().build();
        return send(request, ClusterMembers.class, "discovery at " + discovery);
    }

    /** Trades the token for a credential; a refusal is a {@link ProblemException} with status 401 or 409. */
    EnrollResponse enroll(URI controller, EnrollRequest enrollRequest) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(resolve(controller, ENROLL_PATH))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(enrollRequest)))
                .build();
        return send(request, EnrollResponse.class, "enroll at " + controller);
    }

    private <T> T send(HttpRequest request, Class<T> type, String what) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw ProblemException.of(what, response.statusCode(), response.body());
        }
        try {
            return Json.MAPPER.readValue(response.body(), type);
        } catch (IOException e) {
            throw new IOException(what + ": unreadable answer: " + e.getMessage(), e);
        }
    }

    /** Appends an absolute API path to a base URL that may itself have a path (a reverse proxy prefix). */
    static URI resolve(URI base, String path) {
        String text = base.toString();
        return URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + path);
    }
}
