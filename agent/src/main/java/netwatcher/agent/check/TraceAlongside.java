package netwatcher.agent.check;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import netwatcher.agent.probe.ParisTracer;
import netwatcher.agent.probe.ProbeOutcome;
import netwatcher.agent.probe.ProbeTarget;

/**
 * The Paris trace of one source part on its own platform thread (started from the part's thread, so it shares
 * its network namespace), alongside the probes: a blocked path costs the longer of the two, not their sum. The
 * trace's retries of silent TTLs wait until {@link #probesDone} (at most {@code probesAtMost}), because the
 * probes' ICMP errors use up the routers' rate limits; {@link #result} waits for the trace. Thread-safe.
 */
final class TraceAlongside {
    private final CountDownLatch probesDone = new CountDownLatch(1);
    private final Thread thread;
    private volatile ParisTracer.Trace trace;
    private volatile RuntimeException fault;

    /** Starts tracing {@code target}, sending each hop to {@code interim}. */
    TraceAlongside(ParisTracer tracer, ProbeTarget target, ParisTracer.Settings traceSettings, InterimReports interim,
                   Duration probesAtMost) {
        this.thread = Thread.ofPlatform().daemon().name("nw-agent-check-trace").start(() -> {
            try {
                trace = tracer.trace(target, traceSettings, interim::traced, () -> {
                    try {
                        probesDone.await(probesAtMost.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // the probes used up routers' ICMP rate limits only when ICMP errors came back for them
                    return interim.probes().stream().anyMatch(r -> r.outcome() == ProbeOutcome.UNREACHABLE
                            || r.outcome() == ProbeOutcome.REJECTED);
                });
            } catch (RuntimeException e) {
                fault = e;
            }
        });
    }

    /** The probes are over (or failed): the trace may retry its silent TTLs. */
    void probesDone() {
        probesDone.countDown();
    }

    /** The trace, once it ended; its failure is thrown here. */
    ParisTracer.Trace result() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("check cancelled while tracing", e);
        }
        if (fault != null) throw fault;
        return trace;
    }

    /** Stops the trace and waits (up to 5 s) for its thread. */
    void cancel() {
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
