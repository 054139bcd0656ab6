package netwatcher.agent.check;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import netwatcher.agent.probe.ProbeResult;
import netwatcher.model.check.CheckReport;

/**
 * Sends a source's interim reports ({@code state:"probing"}) on its own thread every {@code interval} while
 * probes and hops come in: only when something changed, and only while its {@link Outlet} lists the part
 * (checked under the outlet's lock, with the report sent under it too). {@link #stop} ends it before the final
 * report is made, so an interim report never follows the final one. Thread-safe.
 */
final class InterimReports {
    /**
     * Where a part's interim reports go.
     *
     * @param lock   the scheduler's lock: held while {@code listed} is asked and the report is sent
     * @param listed whether the part is still listed (not cancelled, the scheduler not closed)
     * @param sink   takes the report (the check outbox)
     */
    record Outlet(Object lock, BooleanSupplier listed, Consumer<CheckReport> sink) {}

    private final Duration interval;
    private final Outlet outlet;
    private final BiFunction<List<ProbeResult>, List<CheckReport.TraceHop>, CheckReport> report;
    private final ConcurrentLinkedQueue<ProbeResult> results = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<CheckReport.TraceHop> hops = new ConcurrentLinkedQueue<>();
    private final Thread ticker;
    private volatile boolean stopped;

    /**
     * Starts the ticker.
     *
     * @param report makes the report of the probes and hops so far (hops one per TTL, in TTL order)
     */
    InterimReports(Duration interval, Outlet outlet, BiFunction<List<ProbeResult>, List<CheckReport.TraceHop>, CheckReport> report) {
        this.interval = interval;
        this.outlet = outlet;
        this.report = report;
        this.ticker = Thread.ofPlatform().daemon().name("nw-agent-check-interim").start(this::tick);
    }

    /** A probe's result came in. */
    void probed(ProbeResult result) {
        results.add(result);
    }

    /** A hop of the trace came in. */
    void traced(CheckReport.TraceHop hop) {
        hops.add(hop);
    }

    /** The probes' results so far. */
    List<ProbeResult> probes() {
        return List.copyOf(results);
    }

    private void tick() {
        int reportedResults = 0;
        int reportedHops = 0;
        while (!stopped) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            List<ProbeResult> r = List.copyOf(results);
            // a retried TTL comes again: the latest word on each TTL, in TTL order
            TreeMap<Integer, CheckReport.TraceHop> byTtl = new TreeMap<>();
            for (CheckReport.TraceHop hop : hops) byTtl.put(hop.ttl(), hop);
            List<CheckReport.TraceHop> h = List.copyOf(byTtl.values());
            if (r.size() == reportedResults && hops.size() == reportedHops) continue;
            reportedResults = r.size();
            reportedHops = hops.size();
            synchronized (outlet.lock()) {
                if (stopped || !outlet.listed().getAsBoolean()) return;
                outlet.sink().accept(report.apply(r, h));
            }
        }
    }

    /** Stops the ticker; no interim report is sent after this returns. */
    void stop() {
        synchronized (outlet.lock()) {
            stopped = true; // under the lock: no interim report can be sent after this
        }
        ticker.interrupt();
        try {
            ticker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
