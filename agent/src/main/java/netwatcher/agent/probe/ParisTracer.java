package netwatcher.agent.probe;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import netwatcher.model.check.CheckReport;

/**
 * Paris traceroute: TTL-limited probes that keep the flow's identity constant, so every probe takes
 * the path the real flow takes through per-flow load balancers and firewalls. TCP probes are SYNs
 * from one fixed source port (the first probe's ephemeral port, or the flow's) to the destination
 * port, each socket closed with an RST so the 5-tuple is free again at once; ICMP probes are echo
 * requests with one identifier and one checksum. TTL runs 1..maxHops; a hop that answers gets
 * {@link Settings#probesPerHop()} probes (round trips), a hop whose first probe times out gets no
 * more in the first pass. Each hop records the ICMP time-exceeded sender and the round trips. The
 * trace stops when the destination answers (SYN-ACK, RST, echo reply), when an ICMP unreachable
 * arrives, or {@link Settings#silentHopsToStop()} hops past the last responder.
 *
 * <p>A silent TTL is not yet a silent hop: routers rate-limit their ICMP errors (Linux: about one
 * a second per peer after a burst), and the check's own probes use those tokens up. After the first
 * pass (and after {@code beforeRetry}, which lets the check's probes finish), every silent TTL before
 * the last responder, and the first one after it when the trace did not end on an answer and ICMP
 * errors may have used up a router's tokens (see {@code beforeRetry}), is probed
 * again {@link Retry#attempts()} times, {@link Retry#spacing()} apart. A retry that reaches the end
 * of the path (an unreachable or the destination) ends the trace there; one that finds a router
 * past the last responder resumes the first pass after it. Only a TTL silent through all of this is
 * {@code address:null, reply:"none"} (no reply, not loss).
 *
 * <p>Thread-safety: thread-safe; {@link #trace} works on the calling platform thread.
 */
public final class ParisTracer {
    /**
     * How a silent TTL is probed again.
     *
     * @param attempts probes per silent TTL (0: no retry)
     * @param spacing  the timeout of each retry probe, and so the gap between two (spread over one
     *                 ICMP rate-limit interval, so one of them meets a fresh token)
     */
    public record Retry(int attempts, Duration spacing) {
        /** Three probes 400 ms apart: one lands after a Linux router's 1 s rate-limit interval. */
        public static final Retry DEFAULT = new Retry(3, Duration.ofMillis(400));

        public Retry {
            if (attempts < 0 || attempts > 10) throw new IllegalArgumentException("retry attempts must be 0..10, got " + attempts);
            if (spacing == null || spacing.isNegative() || spacing.isZero()) throw new IllegalArgumentException("retry spacing must be positive");
        }
    }

    /**
     * @param maxHops          TTL limit
     * @param probesPerHop     1..3
     * @param timeout          per probe
     * @param silentHopsToStop consecutive silent hops after which the first pass ends (2 by default: a router
     *                         silent only because of ICMP rate limiting is found by the retry pass, so
     *                         the first pass need not wait out more silence)
     * @param retry            how silent TTLs are probed again
     */
    public record Settings(int maxHops, int probesPerHop, Duration timeout, int silentHopsToStop, Retry retry) {
        public static final Settings DEFAULT = new Settings(30, 2, Duration.ofMillis(700), 2, Retry.DEFAULT);

        public Settings {
            if (maxHops < 1 || maxHops > 255) throw new IllegalArgumentException("maxHops must be 1..255, got " + maxHops);
            if (probesPerHop < 1 || probesPerHop > 3) throw new IllegalArgumentException("probesPerHop must be 1..3");
            if (silentHopsToStop < 1) throw new IllegalArgumentException("silentHopsToStop must be at least 1");
            if (retry == null) throw new IllegalArgumentException("retry must be given");
        }

        /** With {@link Retry#DEFAULT}. */
        public Settings(int maxHops, int probesPerHop, Duration timeout, int silentHopsToStop) {
            this(maxHops, probesPerHop, timeout, silentHopsToStop, Retry.DEFAULT);
        }
    }

    /**
     * The trace and the 5-tuple it used.
     *
     * @param hops   one entry per TTL, TTL order
     * @param source the local address and fixed source port (0 for ICMP), or null when unknown
     */
    public record Trace(List<CheckReport.TraceHop> hops, InetSocketAddress source) {
        public Trace {
            hops = List.copyOf(hops);
        }
    }

    /** Traces towards {@code target} (TCP for Tcp/Http/Https, ICMP echo for Icmp). */
    public Trace trace(ProbeTarget target, Settings settings) {
        return trace(target, settings, h -> { }, () -> true);
    }

    /** Like {@link #trace(ProbeTarget, Settings)}, handing each hop to {@code onHop} as soon as its TTL is done. */
    public Trace trace(ProbeTarget target, Settings settings, java.util.function.Consumer<CheckReport.TraceHop> onHop) {
        return trace(target, settings, onHop, () -> true);
    }

    /**
     * Like {@link #trace(ProbeTarget, Settings, java.util.function.Consumer)}; {@code beforeRetry} runs
     * once before silent TTLs are probed again (it may block, e.g. until the check's probes are done)
     * and says whether the TTL after the last responder is worth retrying too: true when something
     * (the check's probes getting ICMP errors) may have used up a router's ICMP rate limit; a path that
     * only drops silently is not retried past its last responder.
     */
    public Trace trace(ProbeTarget target, Settings settings, java.util.function.Consumer<CheckReport.TraceHop> onHop,
                       java.util.function.BooleanSupplier beforeRetry) {
        InetAddress dst = target.destination().getAddress();
        boolean icmp = target.protocol() == ProbeTarget.Protocol.ICMP;
        Session session = new Session(target, settings, icmp ? new IcmpEcho(dst, ThreadLocalRandom.current().nextInt(1, 0xffff)) : null);
        List<CheckReport.TraceHop> hops = new ArrayList<>();
        try {
            if (session.echo != null && session.fixed != null && !session.fixed.getAddress().isAnyLocalAddress()) {
                session.echo.bind(session.fixed.getAddress());
            }
            boolean ended = firstPass(session, 1, hops, onHop);
            if (settings.retry().attempts() > 0 && hops.stream().anyMatch(h -> h.address() == null)) {
                boolean pastLast = beforeRetry.getAsBoolean();
                retrySilent(session, hops, ended || !pastLast, onHop);
            }
        } finally {
            if (session.echo != null) session.echo.close();
        }
        return new Trace(hops, session.fixed);
    }

    /** One trace's probing state: the target, the fixed source (learnt from the first SYN) and the ICMP sequence. */
    private static final class Session {
        final ProbeTarget target;
        final Settings settings;
        final IcmpEcho echo;
        InetSocketAddress fixed;
        int seq;

        Session(ProbeTarget target, Settings settings, IcmpEcho echo) {
            this.target = target;
            this.settings = settings;
            this.echo = echo;
            this.fixed = target.source();
        }

        Reply attempt(int ttl, Duration timeout) {
            if (echo != null) return echo.attempt(target.destination().getAddress(), ++seq, ttl, timeout);
            Reply r = TcpSyn.attempt(target.destination(), fixed, ttl, timeout);
            if (r.kind() == Reply.Kind.LOCAL_ERROR && "bind".equals(r.stage())) {
                throw new ProbeException("trace: cannot bind " + fixed + ": " + LibC.strerror(r.errno()), r.errno(), "bind");
            }
            if ((fixed == null || fixed.getPort() == 0) && r.local() != null && r.local().getPort() != 0) {
                fixed = r.local(); // from now on, the same source port
            }
            return r;
        }
    }

    /** The hop one TTL gave, and whether the trace ends with it. */
    private record Probed(CheckReport.TraceHop hop, boolean ends) {}

    /** Probes one TTL: up to {@code probes} probes; stops at the first timeout when {@code stopWhenSilent}. */
    private static Probed probeTtl(Session session, int ttl, int probes, Duration timeout, boolean stopWhenSilent) {
        InetAddress responder = null;
        String reply = "none";
        String code = null;
        List<Double> rtts = new ArrayList<>();
        boolean stop = false;
        for (int p = 0; p < probes; p++) {
            Reply r = session.attempt(ttl, timeout);
            switch (r.kind()) {
                case ANSWERED, RESET -> {
                    responder = r.from();
                    reply = "destination";
                    rtts.add(r.rttMs());
                    stop = true;
                }
                case ICMP -> {
                    responder = r.from();
                    rtts.add(r.rttMs());
                    if (r.timeExceeded()) {
                        reply = "timeExceeded";
                    } else {
                        reply = "unreachable";
                        code = r.icmpText();
                        stop = true;
                    }
                }
                case LOCAL_ERROR -> {
                    reply = "unreachable";
                    code = "local: " + LibC.strerror(r.errno());
                    stop = true;
                }
                case TIMEOUT -> {
                    if (responder == null && stopWhenSilent) return new Probed(new CheckReport.TraceHop(ttl, null, rtts, reply, code), false);
                }
            }
            if (stop || (!stopWhenSilent && responder != null)) break;
        }
        return new Probed(new CheckReport.TraceHop(ttl, Addresses.text(responder), rtts, reply, code), stop);
    }

    /** TTLs {@code from}..maxHops until the path ends or stays silent; true when it ended on an answer. */
    private static boolean firstPass(Session session, int from, List<CheckReport.TraceHop> hops,
                                     java.util.function.Consumer<CheckReport.TraceHop> onHop) {
        Settings settings = session.settings;
        int silent = 0;
        for (int ttl = from; ttl <= settings.maxHops(); ttl++) {
            Probed probed = probeTtl(session, ttl, settings.probesPerHop(), settings.timeout(), true);
            hops.add(probed.hop());
            onHop.accept(probed.hop());
            if (probed.ends()) return true;
            silent = probed.hop().address() == null ? silent + 1 : 0;
            if (silent >= settings.silentHopsToStop()) return false;
        }
        return false;
    }

    /**
     * Probes silent TTLs again (see the class comment); replaces what they answer, in place. With
     * {@code onlyInner}, only the TTLs before the last responder.
     */
    private static void retrySilent(Session session, List<CheckReport.TraceHop> hops, boolean onlyInner,
                                    java.util.function.Consumer<CheckReport.TraceHop> onHop) {
        Retry retry = session.settings.retry();
        int lastResponder = -1;
        for (int i = 0; i < hops.size(); i++) if (hops.get(i).address() != null) lastResponder = i;
        int limit = onlyInner ? lastResponder : Math.min(hops.size() - 1, lastResponder + 1);
        for (int i = 0; i <= limit && i < hops.size(); i++) {
            if (hops.get(i).address() != null) continue;
            int ttl = hops.get(i).ttl();
            Probed again = probeTtl(session, ttl, retry.attempts(), retry.spacing(), false);
            if (again.hop().address() == null && !again.ends()) continue;
            hops.set(i, again.hop());
            onHop.accept(again.hop());
            if (again.ends()) {
                // the path ends at this TTL: later TTLs only repeated the end (or its silence)
                while (hops.size() > i + 1) hops.removeLast();
                return;
            }
            if (i > lastResponder) {
                // a router past the last responder: the path goes on, trace it further
                while (hops.size() > i + 1) hops.removeLast();
                firstPass(session, ttl + 1, hops, onHop);
                return;
            }
        }
    }
}
