package netwatcher.model.agent;

/** The agent protocol's version and the constants both sides share. */
public final class ProtocolVersion {
    /** Path prefix of every agent route. */
    public static final String PREFIX = "/agent/v1";
    /** Current protocol version, sent by agents in {@code X-Netwatcher-Agent-Protocol}. */
    public static final int CURRENT = 1;
    /** The header that carries {@link #CURRENT}. */
    public static final String HEADER = "X-Netwatcher-Agent-Protocol";
    /** Prefix of an agent credential: {@code Authorization: Bearer nwa.<agentId>.<secret>}. */
    public static final String CREDENTIAL_PREFIX = "nwa.";
    /** Longest long-poll the controller holds an orders request, in seconds. */
    public static final int MAX_WAIT_SECONDS = 30;

    private ProtocolVersion() {}
}
