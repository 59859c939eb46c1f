package io.civitas.agent;

import io.civitas.protocol.ClusterMembers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Which controller the agent dials next. Without a discovery URL: the configured controllers, in list order,
 * round and round. With one: a round is the live members discovery lists, in random order (so a city's agents
 * spread over the cluster), then any configured controller not listed; a new round asks discovery again, and
 * so does losing a controller after a session. When discovery cannot be reached, the members it listed last
 * stand in. Not thread-safe: the connection loop owns it.
 */
final class ControllerRoster {
    private static final Logger log = LoggerFactory.getLogger(ControllerRoster.class);

    /** How the live members are fetched ({@link ControllerHttp#members} outside tests). */
    interface Discovery {
        ClusterMembers members(URI url) throws IOException, InterruptedException;
    }

    private final List<URI> configured;
    private final URI discoveryUrl;
    private final Discovery discovery;
    private final Random random;
    private final Deque<URI> round = new ArrayDeque<>();
    private List<URI> lastDiscovered = List.of();
    private int next;

    ControllerRoster(List<URI> configured, URI discoveryUrl, Discovery discovery, Random random) {
        this.configured = List.copyOf(configured);
        this.discoveryUrl = discoveryUrl;
        this.discovery = discovery;
        this.random = random;
    }

    /** The controller to dial now; null when discovery found none and none is configured. */
    URI next() throws InterruptedException {
        if (discoveryUrl == null) {
            URI controller = configured.get(next);
            next = (next + 1) % configured.size();
            return controller;
        }
        if (round.isEmpty()) {
            startRound();
        }
        return round.poll();
    }

    /** A session ended: the cluster may have changed, so the next dial asks discovery first. */
    void lostController() {
        if (discoveryUrl != null) {
            round.clear();
        }
    }

    private void startRound() throws InterruptedException {
        List<URI> members = new ArrayList<>(discover());
        Collections.shuffle(members, random);
        Set<URI> dial = new LinkedHashSet<>(members);
        dial.addAll(configured);
        round.addAll(dial);
    }

    private List<URI> discover() throws InterruptedException {
        try {
            List<URI> found = discovery.members(discoveryUrl).members().stream()
                    .map(ClusterMembers.Member::restUrl)
                    .filter(Objects::nonNull)
                    .map(ControllerRoster::parse)
                    .filter(Objects::nonNull)
                    .distinct()
                    .toList();
            if (found.isEmpty()) {
                log.warn("Discovery at {} lists no live controller; trying the {} it listed before", discoveryUrl,
                        lastDiscovered.size());
                return lastDiscovered;
            }
            log.info("Discovery at {}: live controllers {}", discoveryUrl, found);
            lastDiscovered = found;
            return found;
        } catch (IOException e) {
            log.warn("Discovery at {} failed: {}; trying the {} controllers it listed before", discoveryUrl,
                    Errors.describe(e), lastDiscovered.size());
            return lastDiscovered;
        }
    }

    private static URI parse(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) ? uri : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
