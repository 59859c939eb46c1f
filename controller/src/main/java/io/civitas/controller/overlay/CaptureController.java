package io.civitas.controller.overlay;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.civitas.controller.agent.AgentChannel;
import io.civitas.controller.agent.AgentUnreachableException;
import io.civitas.controller.node.NodeOverlayParts;
import io.civitas.controller.system.ApiException;
import io.civitas.controller.system.FieldProblem;
import io.civitas.protocol.CaptureRequest;
import io.civitas.protocol.CaptureResult;
import io.civitas.protocol.WampUris;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import ws.wamp.jawampa.ApplicationError;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * {@code POST /api/v1/nodes/{id}/captures}: the node's agent captures on one overlay's device (Pcap4J, a BPF
 * filter) and the answer is the pcap file ({@code application/vnd.tcpdump.pcap}) that Wireshark opens. Bounded
 * by packets ({@link CaptureRequest#MAX_PACKETS}), seconds ({@link CaptureRequest#MAX_SECONDS}) and size
 * ({@link CaptureRequest#MAX_BYTES}); the agent must hold its session on this controller.
 */
@RestController
class CaptureController {

    static final MediaType PCAP = MediaType.parseMediaType("application/vnd.tcpdump.pcap");

    @JsonIgnoreProperties(ignoreUnknown = true)
    record CaptureBody(String overlay, String filter, Integer maxPackets, Integer maxSeconds) {}

    private final AgentChannel agents;
    private final NodeOverlayParts parts;

    CaptureController(AgentChannel agents, NodeOverlayParts parts) {
        this.agents = agents;
        this.parts = parts;
    }

    @PostMapping("/api/v1/nodes/{id}/captures")
    ResponseEntity<byte[]> capture(@PathVariable String id, @RequestBody CaptureBody body) throws InterruptedException {
        CaptureRequest request = validate(body);
        if (!parts.exists(id)) {
            throw ApiException.notFound("no node '" + id + "'");
        }
        if (!agents.isReady(id)) {
            throw ApiException.conflict("node " + id + " has no agent session on this controller; a capture needs "
                    + "its agent online");
        }
        CaptureResult result;
        try {
            result = agents.capture(id, request, Duration.ofSeconds(10)).get();
        } catch (ExecutionException | CompletionException e) {
            throw fromAgent(id, e.getCause() == null ? e : e.getCause());
        }
        byte[] pcap = Base64.getDecoder().decode(result.pcapBase64());
        return ResponseEntity.ok()
                .contentType(PCAP)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + id + "-" + request.overlay() + ".pcap\"")
                .header("Civitas-Packets", Integer.toString(result.packets()))
                .header("Civitas-Device", result.device())
                .body(pcap);
    }

    static CaptureRequest validate(CaptureBody body) {
        List<FieldProblem> problems = new ArrayList<>();
        if (body.overlay() == null || body.overlay().isBlank()) {
            problems.add(new FieldProblem("overlay", "missing: the overlay whose device to capture on"));
        }
        String filter = body.filter() == null ? "" : body.filter();
        if (filter.length() > 1024) {
            problems.add(new FieldProblem("filter", "longer than 1024 characters"));
        }
        int packets = body.maxPackets() == null ? 100 : body.maxPackets();
        if (packets < 1 || packets > CaptureRequest.MAX_PACKETS) {
            problems.add(new FieldProblem("maxPackets", "must be 1.." + CaptureRequest.MAX_PACKETS + ", not " + packets));
        }
        int seconds = body.maxSeconds() == null ? 10 : body.maxSeconds();
        if (seconds < 1 || seconds > CaptureRequest.MAX_SECONDS) {
            problems.add(new FieldProblem("maxSeconds", "must be 1.." + CaptureRequest.MAX_SECONDS + ", not " + seconds));
        }
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
        return new CaptureRequest(body.overlay(), filter, packets, seconds);
    }

    private static ApiException fromAgent(String id, Throwable cause) {
        if (cause instanceof AgentUnreachableException) {
            return ApiException.conflict("node " + id + " went offline during the capture");
        }
        if (cause instanceof ApplicationError error) {
            String message = error.arguments() != null && error.arguments().size() > 0
                    ? error.arguments().get(0).asText() : error.uri();
            if (WampUris.ERROR_INVALID_ARGUMENT.equals(error.uri())) {
                int colon = message.indexOf(": ");
                String field = colon > 0 ? message.substring(0, colon).replace("bpfFilter", "filter") : "";
                return colon > 0 && !field.contains(" ")
                        ? ApiException.invalid(field, message.substring(colon + 2))
                        : ApiException.invalid("capture", message);
            }
            return ApiException.unavailable("the agent of node " + id + " could not capture: " + message);
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return ApiException.unavailable("the agent of node " + id + " did not answer the capture in time");
        }
        return ApiException.unavailable("capture on node " + id + " failed: " + cause.getMessage());
    }
}
