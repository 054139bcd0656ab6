package netwatcher.agent.probe;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import javax.net.ssl.SSLContext;

/**
 * Sends the probes of a connectivity check from this host and classifies each one
 * ({@link ProbeOutcome}): TCP connects through libc with {@code IP_RECVERR} (so an RST, an ICMP
 * rejection and an ICMP unreachable from an intermediate hop are told apart and the ICMP sender is
 * named), ICMP echo over a raw socket, HTTP(S) over a fresh connection per probe with the status
 * checked. Probes are sequential and paced; each is bounded by the timeout and the whole run by
 * {@link Settings#totalLimit()} (probes not sent by then are not counted).
 *
 * <p>Thread-safety: thread-safe; each {@link #run} works on the calling thread, which must be a
 * platform thread in the network namespace to probe from.
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

    private final SSLContext tls;

    /** @param tls trust for HTTPS probes (see {@link ProbeTls#context}) */
    public Prober(SSLContext tls) {
        this.tls = tls;
    }

    /**
     * Probes {@code target} as {@code settings} say.
     *
     * @throws ProbeException when this host cannot probe at all: the source address/port cannot be
     *                        bound (stage {@code bind}) or no raw ICMP socket can be opened
     */
    public ProbeRun run(ProbeTarget target, Settings settings) {
        List<ProbeResult> results = new ArrayList<>();
        InetSocketAddress local = null;
        long started = System.nanoTime();
        IcmpEcho echo = null;
        try {
            if (target.protocol() == ProbeTarget.Protocol.ICMP) {
                echo = new IcmpEcho(target.destination().getAddress(), ThreadLocalRandom.current().nextInt(1, 0xffff));
                if (target.source() != null && !target.source().getAddress().isAnyLocalAddress()) {
                    int err = echo.bind(target.source().getAddress());
                    if (err != 0) throw bindFailure(target, err);
                }
            }
            for (int i = 0; i < settings.probes(); i++) {
                if (i > 0 && System.nanoTime() - started > settings.totalLimit().toNanos()) break;
                ProbeResult result;
                switch (target.protocol()) {
                    case TCP -> {
                        Reply reply = TcpSyn.attempt(target.destination(), target.source(), 0, settings.timeout());
                        if (reply.kind() == Reply.Kind.LOCAL_ERROR && "bind".equals(reply.stage())) {
                            throw bindFailure(target, reply.errno());
                        }
                        if (local == null && reply.local() != null && reply.local().getPort() != 0) local = reply.local();
                        result = ProbeResult.of(reply, target.destination().getAddress());
                    }
                    case ICMP -> result = ProbeResult.of(echo.attempt(target.destination().getAddress(), i + 1, 0,
                            settings.timeout()), target.destination().getAddress());
                    case HTTP, HTTPS -> {
                        result = HttpProbe.attempt(target, tls, settings.timeout());
                        if (i == 0 && result.outcome() == ProbeOutcome.ERROR && result.detail() != null
                                && result.detail().startsWith("bind:")) {
                            throw new ProbeException("cannot bind " + target.source() + ": " + result.detail(), 0, "bind");
                        }
                    }
                    default -> throw new IllegalStateException(target.protocol().name());
                }
                results.add(result);
                if (i + 1 < settings.probes() && !settings.pacing().isZero()) {
                    try {
                        Thread.sleep(settings.pacing());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        } finally {
            if (echo != null) echo.close();
        }
        if (local == null) local = routeSource(target);
        return new ProbeRun(results, local);
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
