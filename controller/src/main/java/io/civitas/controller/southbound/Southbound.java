package io.civitas.controller.southbound;

import org.apache.curator.framework.CuratorFramework;

/**
 * The OpenFlow southbound of one controller, assembled: server, switch registry, mastership and roles,
 * desired flows and their reconciler. Built by {@link SouthboundConfig} in the application, or directly
 * (tests run two in one JVM as two controllers).
 */
public final class Southbound implements AutoCloseable {

    private final OpenFlowServer server;
    private final SwitchRegistry registry;
    private final SwitchMastership mastership;
    private final SwitchRoles roles;
    private final DesiredFlows desired = new DesiredFlows();
    private final FlowReconciler reconciler;
    private volatile boolean started;

    public Southbound(OpenFlowProperties properties, CuratorFramework curator, String controllerId) {
        this(properties, new ZkSwitchMastership(curator, controllerId));
    }

    public Southbound(OpenFlowProperties properties, SwitchMastership mastership) {
        this.registry = new SwitchRegistry(properties.echoInterval());
        this.mastership = mastership;
        this.roles = new SwitchRoles(registry, mastership);
        this.reconciler = new FlowReconciler(registry, desired, properties.requestTimeout());
        registry.addListener(roles);
        registry.addListener(reconciler);
        this.server = new OpenFlowServer(properties, registry);
    }

    public Southbound start() {
        server.start();
        started = true;
        return this;
    }

    /** The port switches connect to; -1 when the server is not running (civitas.openflow.enabled=false). */
    public int port() {
        return started ? server.port() : -1;
    }

    public SwitchRegistry switches() {
        return registry;
    }

    public DesiredFlows desiredFlows() {
        return desired;
    }

    public FlowReconciler reconciler() {
        return reconciler;
    }

    /** Asks a switch for a role at a given generation, whatever mastership says (tests of fencing use it). */
    void askRole(OpenFlowSwitch sw, Role role, long generation) {
        roles.ask(sw, role, generation);
    }

    @Override
    public void close() {
        server.close();
        reconciler.close();
        mastership.close();
    }
}
