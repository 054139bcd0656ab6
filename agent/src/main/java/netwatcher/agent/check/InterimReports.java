package netwatcher.agent.check;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import netwatcher.agent.probe.ProbeResult;
import netwatcher.model.check.CheckReport;

/**
 * Sends a source's interim reports ({@code state:"probing"}) on its own thread every {@code interval} while
 * probes and hops come in: only when something changed, and only while {@code listed} holds (checked under
 * {@code lock}, with the report sent under it too). {@link #stop} ends it before the final report is made, so an
 * interim report never follows the final one. Thread-safe.
 */
final class InterimReports {
    private final Duration interval;
    private final Object lock;
    private final BooleanSupplier listed;
    private final BiConsumer<List<ProbeResult>, List<CheckReport.TraceHop>> send;
    private final ConcurrentLinkedQueue<ProbeResult> results = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<CheckReport.TraceHop> hops = new ConcurrentLinkedQueue<>();
    private final Thread ticker;
    private volatile boolean stopped;

    /**
     * Starts the ticker.
     *
     * @param send makes and sends the report of the probes and hops so far (hops one per TTL, in TTL order)
     */
    InterimReports(Duration interval, Object lock, BooleanSupplier listed,
                   BiConsumer<List<ProbeResult>, List<CheckReport.TraceHop>> send) {
        this.interval = interval;
        this.lock = lock;
        this.listed = listed;
        this.send = send;
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
            synchronized (lock) {
                if (stopped || !listed.getAsBoolean()) return;
                send.accept(r, h);
            }
        }
    }

    /** Stops the ticker; no interim report is sent after this returns. */
    void stop() {
        synchronized (lock) {
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
