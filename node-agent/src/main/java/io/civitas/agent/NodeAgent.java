package io.civitas.agent;

import io.civitas.protocol.AgentHello;
import io.civitas.protocol.AppliedState;
import io.civitas.protocol.Bootstrap;
import io.civitas.protocol.OverlayStatus;
import io.civitas.protocol.Underlay;
import io.civitas.protocol.Protocol;
import io.civitas.protocol.SensorReading;
import io.civitas.protocol.WampUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent of one node: enrolls once, then keeps one WAMP session to one of its controllers, forever.
 *
 * <p>Controllers are tried in list order, or in random order among the live members a discovery URL lists
 * ({@link ControllerRoster}); each attempt asks the controller's bootstrap endpoint for its
 * WAMP URL and opens a fresh connection. When a session ends or an attempt fails, the agent moves to the
 * next controller after a capped, fully jittered exponential backoff (reset after a session that lasted
 * at least the backoff cap). While disconnected it keeps applying its last desired state, and drops
 * telemetry rather than queueing it.
 *
 * <p>It stops for good only on {@link #close()} or an {@link AgentException} (enrollment refused, protocol
 * incompatible), which {@link #termination()} reports.
 */
public final class NodeAgent implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** How often overlays are checked for drift and their peers probed (and the result reported). */
    private static final Duration OVERLAY_CHECK = Duration.ofSeconds(5);

    private final AgentConfig config;
    private final ControllerTls tls;
    private final ControllerHttp http;
    private final CredentialStore credentials;
    private final Backoff backoff;
    private final Random random;
    private final ScheduledExecutorService sampler;
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Credential credential;
    private volatile DesiredStateApplier applier;
    private volatile SamplingScheduler sampling;
    private volatile WampSession session;
    private volatile URI sessionController;
    private volatile NodeOverlays overlays;
    private volatile Datapaths datapaths;
    private volatile Underlay underlay;
    private volatile OverlayStatus overlayStatus;
    private final ScheduledExecutorService overlayWatch;
    private Thread loop;

    public NodeAgent(AgentConfig config) {
        this(config, new Random());
    }

    NodeAgent(AgentConfig config, Random random) {
        this.config = config;
        this.random = random;
        this.tls = ControllerTls.trusting(config.trustedCa());
        this.http = new ControllerHttp(tls.http());
        this.credentials = new CredentialStore(config.stateDir());
        this.backoff = new Backoff(config.initialBackoff(), config.maxBackoff(), random);
        this.sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "civitas-agent-sensors");
            thread.setDaemon(true);
            return thread;
        });
        this.overlayWatch = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "civitas-agent-overlays");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Checks the state directory and credential, then connects in the background.
     *
     * @throws AgentException (CONFIGURATION) when there is neither a stored credential nor a token, or the
     *                        state directory cannot be used
     */
    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("already started");
        }
        try {
            StateFiles.ensurePrivateDir(config.stateDir());
        } catch (IOException e) {
            throw new AgentException(AgentException.Kind.CONFIGURATION,
                    "cannot use state directory " + config.stateDir() + ": " + e, e);
        }
        datapaths = Datapaths.from(config.overlays());
        Credential stored = credentials.load().orElse(null);
        if (stored == null && config.enrollmentToken() == null) {
            throw new AgentException(AgentException.Kind.CONFIGURATION, "no credential in " + credentials.file()
                    + " and no enrollment token: give --token (from the controller, when the node is created)");
        }
        if (stored != null) {
            becomeNode(stored);
        }
        loop = new Thread(this::connectForever, "civitas-agent-" + (stored == null ? "enrolling" : stored.nodeId()));
        loop.setDaemon(true);
        loop.start();
    }

    /** Leaves the session (GOODBYE), stops sampling. Idempotent. */
    @Override
    public void close() {
        closing.countDown();
        WampSession current = session;
        if (current != null) {
            current.close("agent shutting down");
        }
        Thread thread;
        synchronized (this) {
            thread = loop;
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(CLOSE_TIMEOUT.toMillis());
                thread.interrupt(); // a no-op when it ended; else it is stuck in I/O and must give up now
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SamplingScheduler scheduler = sampling;
        if (scheduler != null) {
            scheduler.close();
        }
        sampler.shutdownNow();
        overlayWatch.shutdownNow();
        NodeOverlays nodeOverlays = overlays;
        if (nodeOverlays != null) {
            nodeOverlays.close(); // closes userspace devices; kernel devices stay and keep forwarding (fail-static)
        }
        termination.complete(null);
    }

    /** Completes normally after {@link #close()}, exceptionally with an {@link AgentException} on a fatal stop. */
    public CompletableFuture<Void> termination() {
        return termination;
    }

    /** The node id from the credential; null until enrolled. */
    public String nodeId() {
        Credential current = credential;
        return current == null ? null : current.nodeId();
    }

    /** True while a WAMP session is up and the controller accepted hello. */
    public boolean isConnected() {
        WampSession current = session;
        return current != null && current.isJoined();
    }

    /** The controller (base URL) of the current session; null when not connected. */
    public URI controller() {
        return isConnected() ? sessionController : null;
    }

    /** The generation in effect, 0 before the first apply. */
    public long appliedGeneration() {
        DesiredStateApplier current = applier;
        return current == null ? 0 : current.appliedGeneration();
    }

    /** What the agent would answer to apply now; generation 0 before the first apply or enrollment. */
    public AppliedState appliedState() {
        DesiredStateApplier current = applier;
        return current == null ? new AppliedState(nodeId(), 0, 0) : current.current();
    }

    /** The desired state in effect (overlays, exposures, labels, sampling); null before enrollment. */
    public io.civitas.protocol.DesiredState appliedDesiredState() {
        DesiredStateApplier current = applier;
        return current == null ? null : current.desired();
    }

    /** What the agent last observed of its overlays; null before the first look. */
    public OverlayStatus overlayStatus() {
        return overlayStatus;
    }

    /** Where this node's VXLAN endpoint is, as last reported to a controller; null before the first bootstrap. */
    public Underlay underlay() {
        return underlay;
    }

    private void becomeNode(Credential stored) {
        SamplingScheduler scheduler = new SamplingScheduler(stored.nodeId(), sampler, new SimulatedSensors(random),
                this::publish, Clock.systemUTC());
        NodeOverlays nodeOverlays = new NodeOverlays(stored.nodeId(), datapaths, Clock.systemUTC());
        DesiredStateApplier created = new DesiredStateApplier(stored.nodeId(), config.sensors(), scheduler,
                nodeOverlays, config.stateDir(), Clock.systemUTC());
        overlays = nodeOverlays;
        overlayWatch.scheduleWithFixedDelay(this::watchOverlays, OVERLAY_CHECK.toMillis(), OVERLAY_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
        created.resume();
        sampling = scheduler;
        applier = created;
        credential = stored;
    }

    /** Re-applies what drifted, probes the peers, and tells the controller. */
    private void watchOverlays() {
        try {
            NodeOverlays current = overlays;
            current.check();
            OverlayStatus status = current.status();
            overlayStatus = status;
            WampSession s = session;
            if (s != null) {
                s.publish(status);
            }
        } catch (RuntimeException e) {
            log.warn("Overlay check failed: {}", e.toString());
        }
    }

    private void publish(SensorReading reading) {
        WampSession current = session;
        if (current != null) {
            current.publish(reading);
        }
    }

    private void connectForever() {
        ControllerRoster roster = new ControllerRoster(config.controllers(), config.discovery(), http::members, random);
        while (closing.getCount() > 0) {
            URI controller = null;
            try {
                controller = roster.next();
                if (controller == null) {
                    throw new IOException("no controller to dial: discovery at " + config.discovery()
                            + " has not answered yet and no --controller is given");
                }
                if (credential == null) {
                    becomeNode(new Enrollment(http, credentials).enroll(controller, config.enrollmentToken()));
                    Thread.currentThread().setName("civitas-agent-" + credential.nodeId());
                }
                if (attempt(controller)) {
                    roster.lostController();
                }
            } catch (AgentException e) {
                log.error("Stopping for good: {}", e.getMessage());
                termination.completeExceptionally(e); // first: close() would complete it normally
                close();
                return;
            } catch (IOException e) {
                log.warn(controller == null ? "{}" : "Controller " + controller + " failed: {}", Errors.describe(e));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.warn("Attempt at controller {} failed", controller, e);
            }
            try {
                if (closing.await(backoff.next().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One session with {@code controller}, from bootstrap to its end; true when it had joined. */
    private boolean attempt(URI controller) throws Exception {
        Bootstrap bootstrap = http.bootstrap(controller);
        if (bootstrap.wampUrl() == null || bootstrap.wampUrl().isBlank()) {
            throw new IOException("bootstrap at " + controller + " names no wampUrl");
        }
        if (bootstrap.minProtocolVersion() > Protocol.VERSION
                || bootstrap.protocolVersion() < Protocol.VERSION) {
            log.warn("Controller {} speaks protocol {}..{}, this agent {}: hello will tell", controller,
                    bootstrap.minProtocolVersion(), bootstrap.protocolVersion(), Protocol.VERSION);
        }
        Credential node = credential;
        underlay = Underlays.of(config.overlays(), datapaths.mode(), controller, bootstrap);
        if (underlay.behindNat()) {
            log.info("Behind NAT: this node's underlay address is {}, the controller sees {}; overlays go through "
                    + "the controller's relay", underlay.address(), underlay.publicAddress());
        }
        String realm = node.realm() != null ? node.realm() : bootstrap.realm();
        if (bootstrap.wampUrl().startsWith("ws://") && !isLoopback(controller)) {
            log.warn("The session with {} is not encrypted (ws://): the node's secret and everything it says travel in "
                    + "clear. Give the controller a certificate (--tls-certificate) and use https:// URLs.", controller);
        }
        WampSession attempt = new WampSession(controller, bootstrap.wampUrl(), realm, node, applier, this::hello,
                new OverlayCaptures(overlays), tls.wamp());
        sessionController = controller;
        session = attempt;
        if (closing.getCount() == 0) {
            attempt.close("agent shutting down"); // releases the unopened client's event loop
            return false;
        }
        attempt.open();
        boolean joined = attempt.awaitJoined(JOIN_TIMEOUT);
        if (!joined) {
            attempt.close("no session within " + JOIN_TIMEOUT.toSeconds() + " s");
        }
        // A joined session lasts until it ends; an attempt we gave up on must not hold the loop if its close hangs.
        WampSession.Outcome outcome = joined && closing.getCount() > 0 ? attempt.awaitEnd() : attempt.awaitEnd(CLOSE_TIMEOUT);
        if (outcome.incompatibility() != null) {
            throw new AgentException(AgentException.Kind.INCOMPATIBLE_PROTOCOL,
                    "controller " + controller + " refused this agent: " + outcome.incompatibility());
        }
        if (outcome.joined()) {
            log.info("Left controller {} after {} s: {}", controller, outcome.lasted().toSeconds(), outcome.reason());
            if (outcome.lasted().compareTo(config.maxBackoff()) >= 0) {
                backoff.reset();
            }
        } else {
            log.warn("Could not join controller {} at {}: {}", controller, bootstrap.wampUrl(), outcome.reason());
            if (outcome.reason().contains(WampUris.ERROR_AUTHENTICATION_FAILED)
                    || outcome.reason().contains(WampUris.ERROR_NOT_AUTHORIZED)) {
                log.warn("The controller does not accept the credential of node {} in {}. If the node was deleted "
                        + "there, delete that file and enroll again with a new token.", node.nodeId(), credentials.file());
            }
        }
        return outcome.joined();
    }

    private static boolean isLoopback(URI controller) {
        try {
            return java.net.InetAddress.getByName(controller.getHost()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private AgentHello hello() {
        return new AgentHello(nodeId(), Protocol.VERSION, InventoryCollector.collect(), appliedGeneration(), underlay);
    }
}
