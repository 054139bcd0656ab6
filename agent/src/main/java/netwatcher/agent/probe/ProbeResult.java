package netwatcher.agent.probe;

/**
 * One classified probe.
 *
 * @param outcome    the class
 * @param latencyMs  TCP handshake time, echo round trip, or HTTP time to the status line; null unless connected
 * @param responder  who answered: the destination, the ICMP sender, "local" for this host, or null on timeout
 * @param icmp       ICMP type/code text when an ICMP error decided the class (e.g. "admin-prohibited"), else null
 * @param httpStatus the HTTP status, for HTTP(S) probes that got one
 * @param detail     a short human explanation (errno text, TLS error), or null
 * @param tls        why the TLS handshake failed, for HTTPS probes whose handshake did; else null
 */
public record ProbeResult(ProbeOutcome outcome, Double latencyMs, String responder, String icmp, Integer httpStatus,
                          String detail, TlsProblem tls) {
    public ProbeResult {
        if (outcome == null) throw new IllegalArgumentException("probe result needs an outcome");
        if (outcome != ProbeOutcome.CONNECTED) latencyMs = null;
    }

    /** A result without a TLS problem. */
    public ProbeResult(ProbeOutcome outcome, Double latencyMs, String responder, String icmp, Integer httpStatus, String detail) {
        this(outcome, latencyMs, responder, icmp, httpStatus, detail, null);
    }

    public boolean succeeded() { return outcome == ProbeOutcome.CONNECTED; }

    /** Classifies a packet-level reply. */
    static ProbeResult of(Reply r, java.net.InetAddress destination) {
        return switch (r.kind()) {
            case ANSWERED -> new ProbeResult(ProbeOutcome.CONNECTED, r.rttMs(), text(r.from()), null, null, null);
            case RESET -> new ProbeResult(ProbeOutcome.REFUSED, null, text(r.from()), null, null, "TCP RST");
            case TIMEOUT -> new ProbeResult(ProbeOutcome.TIMEOUT, null, null, null, null, null);
            case ICMP -> new ProbeResult(Icmp.rejects(r.ipv6(), r.icmpType(), r.icmpCode())
                    ? ProbeOutcome.REJECTED : ProbeOutcome.UNREACHABLE, null, text(r.from()), r.icmpText(), null,
                    "ICMP " + r.icmpText() + " from " + text(r.from()));
            case LOCAL_ERROR -> local(r);
        };
    }

    private static ProbeResult local(Reply r) {
        String detail = r.stage() + ": " + LibC.strerror(r.errno());
        ProbeOutcome outcome = switch (r.errno()) {
            case LibC.EPERM, LibC.EACCES -> "connect".equals(r.stage()) || "send".equals(r.stage())
                    ? ProbeOutcome.REJECTED : ProbeOutcome.ERROR;
            case LibC.ENETUNREACH, LibC.EHOSTUNREACH, 22 /* EINVAL: blackhole route */ ->
                    "connect".equals(r.stage()) || "send".equals(r.stage()) ? ProbeOutcome.UNREACHABLE : ProbeOutcome.ERROR;
            default -> ProbeOutcome.ERROR;
        };
        return new ProbeResult(outcome, null, "local", null, null, detail);
    }

    static String text(java.net.InetAddress a) { return Addresses.text(a); }
}
