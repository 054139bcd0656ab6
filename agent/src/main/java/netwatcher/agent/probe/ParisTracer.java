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
 * requests with one identifier and one checksum. TTL runs 1..maxHops with
 * {@link Settings#probesPerHop()} probes each; each hop records the ICMP time-exceeded sender and
 * the round trips. A hop that stays silent is {@code address:null, reply:"none"} (no reply, not
 * loss). The trace stops when the destination answers (SYN-ACK, RST, echo reply), when an ICMP
 * unreachable arrives, or {@link Settings#silentHopsToStop()} hops past the last responder.
 *
 * <p>Thread-safety: thread-safe; {@link #trace} works on the calling platform thread.
 */
public final class ParisTracer {
    /**
     * @param maxHops          TTL limit
     * @param probesPerHop     1..3
     * @param timeout          per probe
     * @param silentHopsToStop consecutive silent hops after which the trace ends
     */
    public record Settings(int maxHops, int probesPerHop, Duration timeout, int silentHopsToStop) {
        public static final Settings DEFAULT = new Settings(30, 2, Duration.ofMillis(700), 3);

        public Settings {
            if (maxHops < 1 || maxHops > 255) throw new IllegalArgumentException("maxHops must be 1..255, got " + maxHops);
            if (probesPerHop < 1 || probesPerHop > 3) throw new IllegalArgumentException("probesPerHop must be 1..3");
            if (silentHopsToStop < 1) throw new IllegalArgumentException("silentHopsToStop must be at least 1");
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
        return trace(target, settings, h -> { });
    }

    /** Like {@link #trace(ProbeTarget, Settings)}, handing each hop to {@code onHop} as soon as its TTL is done. */
    public Trace trace(ProbeTarget target, Settings settings, java.util.function.Consumer<CheckReport.TraceHop> onHop) {
        InetAddress dst = target.destination().getAddress();
        boolean icmp = target.protocol() == ProbeTarget.Protocol.ICMP;
        InetSocketAddress fixed = target.source();
        List<CheckReport.TraceHop> hops = new ArrayList<>();
        int silent = 0;
        IcmpEcho echo = icmp ? new IcmpEcho(dst, ThreadLocalRandom.current().nextInt(1, 0xffff)) : null;
        try {
            if (echo != null && fixed != null && !fixed.getAddress().isAnyLocalAddress()) echo.bind(fixed.getAddress());
            int seq = 0;
            for (int ttl = 1; ttl <= settings.maxHops(); ttl++) {
                InetAddress responder = null;
                String reply = "none";
                String code = null;
                List<Double> rtts = new ArrayList<>();
                boolean stop = false;
                for (int p = 0; p < settings.probesPerHop(); p++) {
                    Reply r;
                    if (icmp) {
                        r = echo.attempt(dst, ++seq, ttl, settings.timeout());
                    } else {
                        r = TcpSyn.attempt(target.destination(), fixed, ttl, settings.timeout());
                        if (r.kind() == Reply.Kind.LOCAL_ERROR && "bind".equals(r.stage())) {
                            throw new ProbeException("trace: cannot bind " + fixed + ": " + LibC.strerror(r.errno()), r.errno(), "bind");
                        }
                        if ((fixed == null || fixed.getPort() == 0) && r.local() != null && r.local().getPort() != 0) {
                            fixed = r.local(); // from now on, the same source port
                        }
                    }
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
                        case TIMEOUT -> { }
                    }
                    if (stop) break;
                }
                CheckReport.TraceHop hop = new CheckReport.TraceHop(ttl, Addresses.text(responder), rtts, reply, code);
                hops.add(hop);
                onHop.accept(hop);
                if (stop) break;
                silent = responder == null ? silent + 1 : 0;
                if (silent >= settings.silentHopsToStop()) break;
            }
        } finally {
            if (echo != null) echo.close();
        }
        return new Trace(hops, fixed);
    }
}
