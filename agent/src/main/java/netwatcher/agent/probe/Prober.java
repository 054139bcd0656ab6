package netwatcher.agent.probe;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

/**
 * Sends the probes of a connectivity check from this host and classifies each one
 * ({@link ProbeOutcome}): TCP connects through libc with {@code IP_RECVERR} (so an RST, an ICMP
 * rejection and an ICMP unreachable from an intermediate hop are told apart and the ICMP sender is
 * named), ICMP echo over a raw socket, HTTP(S) over a fresh connection per probe with the status
 * checked. Probes are paced (they start {@code pacing} apart, several may be in flight); each is
 * bounded by the timeout, and no probe starts after {@link Settings#totalLimit()} (probes not sent
 * are not counted).
 *
 * <p>Thread-safety: thread-safe; each {@link #run} probes from threads it starts from the calling
 * thread, which must be a platform thread in the network namespace to probe from.
 */
public final class Prober {
    /**
     * @param probes     how many probes (at least 1)
     * @param timeout    per probe
     * @param pacing     pause between two probes
     * @param totalLimit the run stops sending after this long
     */
    public record Settings(int probes, Duration timeout, Duration pacing, Duration totalLimit) {
        public static final Settings DEFAULT = new Settings(100, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofSeconds(30));

        public Settings {
            if (probes < 1) throw new IllegalArgumentException("probes must be at least 1, got " + probes);
            if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("probe timeout must be positive");
            if (pacing == null || pacing.isNegative()) throw new IllegalArgumentException("probe pacing must not be negative");
            if (totalLimit == null || totalLimit.isNegative() || totalLimit.isZero()) throw new IllegalArgumentException("probe total limit must be positive");
        }
    }

    private final Supplier<SSLContext> tls;

    /** @param tls trust for HTTPS probes (see {@link ProbeTls#context}) */
    public Prober(SSLContext tls) {
        this(() -> tls);
    }

    /** @param tls trust for HTTPS probes, asked for by the first one (see {@link ProbeTls#lazy}) */
    public Prober(Supplier<SSLContext> tls) {
        this.tls = tls;
    }

    /**
     * Probes {@code target} as {@code settings} say. Probe {@code i} starts {@code i * pacing} after
     * the first; up to {@value #MAX_IN_FLIGHT} probes ({@value #MAX_HTTP_IN_FLIGHT} HTTP(S) probes) wait for their answer at once (platform threads
     * started here, so they share the caller's network namespace), so a path that drops everything
     * costs about {@code probes * pacing + timeout}, not {@code probes * timeout}.
     *
     * @throws ProbeException when this host cannot probe at all: the source address/port cannot be
     *                        bound (stage {@code bind}) or no raw ICMP socket can be opened
     */
    public ProbeRun run(ProbeTarget target, Settings settings) {
        return run(target, settings, r -> { });
    }

    /**
     * Like {@link #run(ProbeTarget, Settings)}, handing each probe's result to {@code onResult} as
     * soon as it is classified (from the probing threads, concurrently: the consumer must be
     * thread-safe). Used for interim progress reports.
     */
    public ProbeRun run(ProbeTarget target, Settings settings, java.util.function.Consumer<ProbeResult> onResult) {
        int n = settings.probes();
        ProbeResult[] results = new ProbeResult[n];
        InetSocketAddress[] locals = new InetSocketAddress[n];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> fault = new java.util.concurrent.atomic.AtomicReference<>();
        long started = System.nanoTime();
        Runnable worker = () -> {
            IcmpEcho echo = null;
            try {
                while (fault.get() == null) {
                    int i = next.getAndIncrement();
                    if (i >= n) return;
                    long due = started + i * settings.pacing().toNanos();
                    if (i > 0 && due - started > settings.totalLimit().toNanos()) return;
                    long wait = due - System.nanoTime();
                    if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    if (Thread.currentThread().isInterrupted()) return;
                    if (target.protocol() == ProbeTarget.Protocol.ICMP && echo == null) {
                        echo = new IcmpEcho(target.destination().getAddress(), ThreadLocalRandom.current().nextInt(1, 0xffff));
                        if (target.source() != null && !target.source().getAddress().isAnyLocalAddress()) {
                            int err = echo.bind(target.source().getAddress());
                            if (err != 0) throw bindFailure(target, err);
                        }
                    }
                    results[i] = probeOnce(target, settings, echo, i, locals);
                    onResult.accept(results[i]);
                }
            } catch (RuntimeException e) {
                fault.compareAndSet(null, e);
            } finally {
                if (echo != null) echo.close();
            }
        };
        boolean http = target.protocol() == ProbeTarget.Protocol.HTTP || target.protocol() == ProbeTarget.Protocol.HTTPS;
        int threads = Math.min(n, http ? MAX_HTTP_IN_FLIGHT : MAX_IN_FLIGHT);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) workers.add(Thread.ofPlatform().name("nw-probe-" + t).daemon().stackSize(PROBE_STACK).start(worker));
        try {
            for (Thread t : workers) t.join();
        } catch (InterruptedException e) {
            workers.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
        }
        if (fault.get() != null) throw fault.get();
        List<ProbeResult> done = new ArrayList<>();
        InetSocketAddress local = null;
        for (int i = 0; i < n; i++) {
            if (results[i] == null) break; // not sent (total limit) — later ones were not either
            done.add(results[i]);
            if (local == null) local = locals[i];
        }
        if (local == null) local = routeSource(target);
        return new ProbeRun(done, local);
    }

    /**
     * At most this many probes are outstanding at once. A dropped probe holds its thread for the whole
     * timeout, so this must cover {@code timeout / pacing} (1 s / 10 ms = 100 by default) or a blocked
     * path costs {@code probes * timeout / MAX_IN_FLIGHT}: with 16 it took 6.3 s for 100 dropped probes
     * instead of 2 s (BENCHMARKS.md section 4b).
     */
    public static final int MAX_IN_FLIGHT = 128;

    /**
     * At most this many HTTP(S) probes are outstanding at once: each is a TLS handshake and a request
     * in this JVM, CPU work that 100 at once would slow into timeouts on a small host.
     */
    public static final int MAX_HTTP_IN_FLIGHT = 16;

    /** Stack of a probing thread: a TCP connect, an echo or one HTTP(S) exchange need little. */
    private static final long PROBE_STACK = 512 * 1024;

    private ProbeResult probeOnce(ProbeTarget target, Settings settings, IcmpEcho echo, int i, InetSocketAddress[] locals) {
        return switch (target.protocol()) {
            case TCP -> {
                Reply reply = TcpSyn.attempt(target.destination(), target.source(), 0, settings.timeout());
                if (reply.kind() == Reply.Kind.LOCAL_ERROR && "bind".equals(reply.stage())) throw bindFailure(target, reply.errno());
                if (reply.local() != null && reply.local().getPort() != 0) locals[i] = reply.local();
                yield ProbeResult.of(reply, target.destination().getAddress());
            }
            case ICMP -> ProbeResult.of(echo.attempt(target.destination().getAddress(), i + 1, 0, settings.timeout()),
                    target.destination().getAddress());
            case HTTP, HTTPS -> {
                ProbeResult result = HttpProbe.attempt(target, tls.get(), settings.timeout());
                if (result.outcome() == ProbeOutcome.ERROR && result.detail() != null && result.detail().startsWith("bind:")) {
                    throw new ProbeException("cannot bind " + target.source() + ": " + result.detail(), 0, "bind");
                }
                yield result;
            }
        };
    }

    private static ProbeException bindFailure(ProbeTarget target, int errno) {
        return new ProbeException("cannot bind " + target.source() + ": " + LibC.strerror(errno), errno, "bind");
    }

    /** The source address the kernel's route picks for the destination (UDP connect, no packet sent). */
    static InetSocketAddress routeSource(ProbeTarget target) {
        try (DatagramSocket udp = new DatagramSocket()) {
            udp.connect(target.destination().getAddress(), Math.max(1, target.destination().getPort()));
            InetAddress a = udp.getLocalAddress();
            if (a == null || a.isAnyLocalAddress()) return null;
            int port = target.source() == null ? 0 : target.source().getPort();
            return new InetSocketAddress(a, port);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
