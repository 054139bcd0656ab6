package netwatcher.agent.check;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

import netwatcher.agent.evidence.EvidenceRecorder;
import netwatcher.agent.probe.Addresses;
import netwatcher.agent.probe.ProbeTarget;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An observer part, on the part's thread. {@link #arm}: snapshots the firewall, on the flow's destination starts
 * counting the flow's arrivals ({@link HostEvaluation#startWitness}), starts a trace of the flow as the order knows
 * it ({@link HostEvaluation#startTrace}) and arms the evidence capture. {@link #explain}: once the order is
 * inactive, explains the resolved flow against that snapshot and what the trace saw, adds
 * {@code DestinationNotReached} when none of the flow's packets arrived and the route the flow meets here
 * ({@link ObserverRoutes}), and ends what arming started. What it started lives in the part's {@link Observation}.
 * Thread-safe: it keeps no state of its own.
 */
final class ObserverPart {
    private static final Logger LOG = LoggerFactory.getLogger(ObserverPart.class);

    /**
     * What an observer holds from arming to explaining. Written by the part's thread; {@link #release} and
     * {@link #takeRecording} may be called by whoever ends the part (the scheduler on cancel or close).
     */
    static final class Observation {
        /** The firewall state the explanation compares against. */
        volatile HostEvaluation.Snapshot snapshot;
        /** On the destination: set when armed, closed when explained or dropped. */
        volatile HostEvaluation.Witness witness;
        /** The nftables trace started when armed; closed by whoever ends the part. */
        volatile HostEvaluation.Trace trace;
        /** The evidence capture between arming and explaining; taken (set to null) by whoever ends it. */
        private final AtomicReference<EvidenceRecorder.Recording> recording = new AtomicReference<>();

        /** The evidence capture, now no longer this observation's (null when none or already taken). */
        EvidenceRecorder.Recording takeRecording() {
            return recording.getAndSet(null);
        }

        /** Removes the trace and the witness, when started (what they installed on the host goes too). */
        void release() {
            HostEvaluation.Trace t = trace;
            trace = null;
            closeQuietly(t, "an observer's trace");
            HostEvaluation.Witness w = witness;
            witness = null;
            closeQuietly(w, "an arrival witness");
        }

        private static void closeQuietly(AutoCloseable started, String what) {
            if (started == null) return;
            try {
                started.close();
            } catch (Exception e) {
                LOG.debug("closing {}: {}", what, e.getMessage());
            }
        }
    }

    private final HostEvaluation host;
    private final DestinationResolver destinations;
    private final EvidenceArming evidence;
    private final ObserverRoutes routes;

    ObserverPart(HostEvaluation host, DestinationResolver destinations, EvidenceArming evidence) {
        this.host = host;
        this.destinations = destinations;
        this.evidence = evidence;
        this.routes = new ObserverRoutes(host);
    }

    /** Arms {@code observation} for the order's flow; the {@code armed} report. */
    CheckReport arm(CheckOrder order, Observation observation) throws InterruptedException {
        CompletableFuture<EvidenceRecorder.Recording> arming = evidence.start(order, order.flow()); // libpcap arms while the firewall is read
        try {
            observation.snapshot = host.snapshot();
            observation.witness = host.startWitness(order.flow()).orElse(null);
            observation.trace = host.startTrace(traceable(order.flow())).orElse(null); // the flow as known before probing
        } catch (RuntimeException | Error e) {
            EvidenceArming.abandon(arming);
            throw e;
        }
        observation.recording.set(EvidenceArming.join(arming));
        return PartReports.armed(order);
    }

    /** Explains an observer that was never armed: nothing to compare counters against, but the route still counts. */
    CheckReport explainUnarmed(CheckOrder order, Observation observation) {
        observation.snapshot = host.snapshot();
        return explain(order, observation);
    }

    /**
     * An observer's explanation of the resolved flow: the snapshot taken when armed against one now, with what the
     * nftables trace started when armed saw (the evaluation picks the best evidence; see HostConfig.explain); ends
     * the observation.
     */
    CheckReport explain(CheckOrder order, Observation observation) {
        Flow flow = order.flow();
        EvidenceRecorder.Recording recording = observation.takeRecording();
        if (recording != null) recording.stop(); // drains while the host is explained
        EvidenceReport captured = null;
        try {
            // the route lookups and the firewall's counters are independent host commands: run them together
            FutureTask<ObserverRoutes.ObserverRoute> routing = Alongside.start(() -> routes.of(flow));
            HostEvaluation.Snapshot after = host.snapshot();
            HostEvaluation.Trace trace = observation.trace;
            List<CheckReport.Finding> findings = new ArrayList<>();
            for (CheckReport.Finding f : trace == null
                    ? host.explain(observation.snapshot, after, flow, false)
                    : host.explain(observation.snapshot, after, flow, false, trace)) {
                if (!ObserverRoutes.isRouteLookup(f)) findings.add(f); // routes: only as the flow crosses this host, below
            }
            HostEvaluation.Witness witness = observation.witness;
            if (witness != null) witness.finding().ifPresent(findings::add);
            ObserverRoutes.ObserverRoute route;
            try {
                route = routing.get();
            } catch (ExecutionException e) {
                route = ObserverRoutes.ObserverRoute.NONE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                routing.cancel(true);
                throw new IllegalStateException("check cancelled", e);
            }
            route.finding().ifPresent(findings::add);
            CheckReport done = PartReports.observed(order, findings, route.nextHop());
            if (recording != null) captured = recording.finish(order.evidence() != null && order.evidence().keep());
            return done.withEvidence(captured);
        } finally {
            observation.release();
            if (recording != null && captured == null) recording.abandon();
        }
    }

    /**
     * The flow an observer traces while armed: its destination resolved here when the order names it only by host
     * name or URL (a trace selects by address; the resolved flow the explanation gets filters by the whole
     * 5-tuple), or as it is when that fails (the trace then refuses to start: no trace of all traffic to a port).
     */
    private Flow traceable(Flow flow) {
        if (flow.destinationAddress() != null && !flow.destinationAddress().isBlank()) return flow;
        try {
            DestinationResolver.Destination dst = destinations.resolve(flow, ProbeTarget.Protocol.of(flow.protocol()));
            return new Flow(flow.protocol(), flow.sourceAddress(), flow.sourcePort(), Addresses.text(dst.address()),
                    flow.destinationHost(), dst.port(), flow.direction(), flow.preferredIpVersion());
        } catch (UnknownHostException | RuntimeException e) {
            return flow;
        }
    }
}
