package netwatcher.agent.probe;

/** How one probe ended; {@link #wire()} is the key in {@code ProbeSummary.outcomes}. */
public enum ProbeOutcome {
    /** The destination completed the handshake (TCP SYN-ACK, echo reply, a valid HTTP status). */
    CONNECTED("connected"),
    /** The destination answered the SYN with a TCP RST: nothing listens on the port. */
    REFUSED("refused"),
    /** Nothing came back within the timeout: silently dropped somewhere. */
    TIMEOUT("timeout"),
    /** An ICMP administratively-prohibited or port/protocol-unreachable, or this host's own firewall (EPERM). */
    REJECTED("rejected"),
    /** An ICMP destination-unreachable (or time-exceeded) from an intermediate hop, or no route on this host. */
    UNREACHABLE("unreachable"),
    /** HTTP(S): the server answered with a status outside {@code validStatusCodes}. */
    HTTP_STATUS_MISMATCH("httpStatusMismatch"),
    /** HTTPS: the TLS handshake failed ({@link ProbeResult#tls()} says why). */
    TLS_FAILURE("tlsFailure"),
    /** Anything else (malformed HTTP answer, local error). */
    ERROR("error");

    private final String wire;

    ProbeOutcome(String wire) { this.wire = wire; }

    public String wire() { return wire; }
}
