package io.civitas.controller.southbound;

import io.civitas.overlay.openflow.FlowProgram;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupAdd;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Converges each switch this controller masters to its desired {@link FlowProgram}, level-triggered: on
 * becoming master (every connection and reconnection) and on every change of the program, it reads the
 * switch's flows and groups and sends the difference. Flows are compared by cookie (a digest of the flow):
 * a flow whose cookie is not desired is deleted (strictly, by its table, priority and match), a desired cookie
 * that is missing is added; deletes and adds go in one atomic, ordered bundle, so the switch never shows a
 * half-converged table and a second pass changes nothing. The controller owns the switch's tables: flows
 * someone else added are removed as stale. One switch is never reconciled twice at once.
 */
public final class FlowReconciler implements SwitchListener, AutoCloseable {

    /** What one pass did. */
    public record Report(Instant at, long millis, int flowsAdded, int flowsDeleted, int flowsUnchanged,
                         int groupsAdded, int groupsModified, int groupsDeleted, String error) {}

    private static final Logger log = LoggerFactory.getLogger(FlowReconciler.class);
    private final SwitchRegistry registry;
    private final DesiredFlows desired;
    private final Duration timeout;
    private final Set<DatapathId> queued = ConcurrentHashMap.newKeySet();
    private final Map<DatapathId, Report> reports = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "flow-reconciler");
        t.setDaemon(true);
        return t;
    });

    FlowReconciler(SwitchRegistry registry, DesiredFlows desired, Duration timeout) {
        this.registry = registry;
        this.desired = desired;
        this.timeout = timeout;
        desired.onChange(this::schedule);
    }

    public Optional<Report> lastReport(DatapathId dpid) {
        return Optional.ofNullable(reports.get(dpid));
    }

    @Override
    public void roleChanged(OpenFlowSwitch sw, Role role) {
        if (role == Role.MASTER) {
            schedule(sw.dpid());
        }
    }

    /** Queues a pass for {@code dpid} unless one is already queued. */
    public void schedule(DatapathId dpid) {
        if (queued.add(dpid)) {
            worker.execute(() -> {
                queued.remove(dpid);
                reconcileNow(dpid);
            });
        }
    }

    /** One pass, on the caller's thread; empty if this controller does not master the switch. */
    public Optional<Report> reconcileNow(DatapathId dpid) {
        OpenFlowSwitch sw = registry.get(dpid).orElse(null);
        if (sw == null || sw.role() != Role.MASTER) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        Report report;
        try {
            report = converge(sw, desired.get(dpid), start);
            boolean changed = report.flowsAdded() + report.flowsDeleted() + report.groupsAdded()
                    + report.groupsModified() + report.groupsDeleted() > 0;
            if (changed || log.isDebugEnabled()) {
                log.atLevel(changed ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
                        .log("Reconciled switch {}: +{} -{} ={} flows, groups +{} ~{} -{} in {} ms", dpid,
                                report.flowsAdded(), report.flowsDeleted(), report.flowsUnchanged(),
                                report.groupsAdded(), report.groupsModified(), report.groupsDeleted(),
                                report.millis());
            }
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.warn("Reconciling switch {} failed: {}", dpid, cause.toString());
            report = new Report(Instant.now(), elapsed(start), 0, 0, 0, 0, 0, 0, cause.toString());
        }
        reports.put(dpid, report);
        return Optional.of(report);
    }

    private Report converge(OpenFlowSwitch sw, FlowProgram program, long start) throws Exception {
        long secs = timeout.toSeconds();
        List<OFFlowStatsEntry> flows = sw.flows().get(secs, TimeUnit.SECONDS);
        List<OFGroupDescStatsEntry> groups = sw.groups().get(secs, TimeUnit.SECONDS);

        Map<OFGroup, OFGroupDescStatsEntry> haveGroups = new HashMap<>();
        groups.forEach(g -> haveGroups.put(g.getGroup(), g));
        List<OFMessage> groupWrites = new ArrayList<>();
        int groupsAdded = 0;
        int groupsModified = 0;
        Set<OFGroup> wantGroups = new HashSet<>();
        for (OFGroupAdd g : program.groups()) {
            wantGroups.add(g.getGroup());
            OFGroupDescStatsEntry have = haveGroups.get(g.getGroup());
            if (have == null) {
                groupWrites.add(g);
                groupsAdded++;
            } else if (have.getGroupType() != g.getGroupType() || !have.getBuckets().equals(g.getBuckets())) {
                groupWrites.add(sw.factory().buildGroupModify().setGroup(g.getGroup())
                        .setGroupType(g.getGroupType()).setBuckets(g.getBuckets()).build());
                groupsModified++;
            }
        }

        Map<Long, OFFlowAdd> want = new HashMap<>();
        program.flows().forEach(f -> want.put(f.getCookie().getValue(), f));
        Set<Long> kept = new HashSet<>();
        List<OFMessage> flowWrites = new ArrayList<>();
        for (OFFlowStatsEntry e : flows) {
            OFFlowAdd w = want.get(e.getCookie().getValue());
            if (w != null && w.getTableId().equals(e.getTableId()) && w.getPriority() == e.getPriority()
                    && kept.add(e.getCookie().getValue())) {
                continue;
            }
            flowWrites.add(sw.factory().buildFlowDeleteStrict().setTableId(e.getTableId())
                    .setPriority(e.getPriority()).setMatch(e.getMatch()).setOutPort(OFPort.ANY)
                    .setOutGroup(OFGroup.ANY).build());
        }
        int deleted = flowWrites.size();
        for (OFFlowAdd f : program.flows()) {
            if (!kept.contains(f.getCookie().getValue())) {
                flowWrites.add(f);
            }
        }
        int added = flowWrites.size() - deleted;

        List<OFMessage> groupDeletes = new ArrayList<>();
        for (OFGroup g : haveGroups.keySet()) {
            if (!wantGroups.contains(g)) {
                groupDeletes.add(sw.factory().buildGroupDelete().setGroup(g)
                        .setGroupType(haveGroups.get(g).getGroupType()).build());
            }
        }

        if (!groupWrites.isEmpty()) {
            sw.sendAll(groupWrites).get(secs, TimeUnit.SECONDS);
        }
        if (!flowWrites.isEmpty()) {
            write(sw, flowWrites, secs);
        }
        if (!groupDeletes.isEmpty()) {
            sw.sendAll(groupDeletes).get(secs, TimeUnit.SECONDS);
        }
        return new Report(Instant.now(), elapsed(start), added, deleted, kept.size(), groupsAdded, groupsModified,
                groupDeletes.size(), null);
    }

    /**
     * In one bundle; a switch that does not know ONF bundles (it answers BAD_REQUEST/BAD_EXPERIMENTER or
     * BAD_TYPE) gets the same messages one by one, deletes first, then a barrier: not atomic, same end state.
     */
    private static void write(OpenFlowSwitch sw, List<OFMessage> writes, long secs) throws Exception {
        try {
            sw.bundle(writes).get(secs, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OpenFlowException of && of.error() instanceof OFBadRequestErrorMsg bad
                    && (bad.getCode() == OFBadRequestCode.BAD_EXPERIMENTER || bad.getCode() == OFBadRequestCode.BAD_TYPE)) {
                log.info("Switch {} has no ONF bundles ({}); sending {} messages one by one", sw.dpid(),
                        bad.getCode(), writes.size());
                sw.sendAll(writes).get(secs, TimeUnit.SECONDS);
                return;
            }
            throw e;
        }
    }

    private static long elapsed(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
