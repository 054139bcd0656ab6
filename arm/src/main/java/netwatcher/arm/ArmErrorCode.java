package netwatcher.arm;

/**
 * The catalogue of ARM error codes netwatcher emits: wire code and HTTP status, like Kafka's
 * {@code Errors}. Feature code throws {@link ArmException} with one of these; the HTTP edge renders it.
 */
public enum ArmErrorCode {
    MissingApiVersionParameter(400),
    InvalidApiVersionParameter(400),
    InvalidRequestFormat(400),
    InvalidRequestContent(400),
    InvalidParameter(400),
    InvalidResourceName(400),
    InvalidResourceType(400),
    InvalidResourceReference(400),
    MissingRequiredProperty(400),
    NetworkWatcherCountLimitReached(400),
    PacketCaptureSessionLimitReached(400),
    /** A packet capture's filters exceed netwatcher's limits (count, expression size): see BpfFilters. */
    PacketCaptureFilterLimitExceeded(400),
    UnsupportedFeature(400),
    UnsupportedAgentProtocol(400),
    /** A capture names the controller-local storage account while several controllers share one database. */
    StorageAccountNotShared(400),
    LinkedInvalidPropertyId(400),
    /** More than 50 tags on one resource. */
    InvalidTagCount(400),
    /** A tag name with a character ARM reserves ({@code < > % & \\ ? /}) or none at all. */
    InvalidTagNameCharacters(400),
    InvalidTagNameLength(400),
    InvalidTagValueLength(400),
    AuthenticationFailed(401),
    InvalidAuthenticationToken(401),
    AuthorizationFailed(403),
    ResourceNotFound(404),
    NotFound(404),
    ResourceGroupNotFound(404),
    SubscriptionNotFound(404),
    OperationNotFound(404),
    MethodNotAllowed(405),
    Conflict(409),
    AnotherOperationInProgress(409),
    AgentStopped(409),
    /**
     * A packet capture's start failed on its host (libpcap, interface, permissions, disk): the final answer
     * of its create operation. 409, not 5xx: the target host's state refused the request, and SDK retry
     * policies repeat 5xx polls for nothing.
     */
    PacketCaptureFailed(409),
    /**
     * An operation's agent did not finish it by the operation's deadline: the final answer of its poll.
     * 409 like {@link #AgentStopped}: the target host did not do it, and the stored answer never changes,
     * so a 5xx (which SDK retry policies repeat) would only delay the client.
     */
    OperationTimedOut(409),
    /**
     * The target host's free disk space would fall below the floor the agent keeps (a snapshot of a running capture):
     * the final answer of its operation. 409 like {@link #PacketCaptureFailed}: the host's state refused it.
     */
    DiskSpaceLow(409),
    /**
     * A snapshot of a running capture could not be cut or stored on its host (a read or upload failure; the message
     * says which): the final answer of its operation, 409 like {@link #PacketCaptureFailed}.
     */
    SnapshotFailed(409),
    /**
     * A snapshot of a scale-set capture that no instance contributed a cut to (each instance's capture ended, its agent
     * went away, its files did not cover the window, or its cut failed; the message names each): the final answer of its
     * operation, 409 like {@link #SnapshotFailed}.
     */
    FleetSnapshotEmpty(409),
    /** A live stream of a packet capture that has ended (the message says its state and why). */
    PacketCaptureNotRunning(409),
    PreconditionFailed(412),
    RequestEntityTooLarge(413),
    RequestUriTooLong(414),
    UnsupportedMediaType(415),
    RangeNotSatisfiable(416),
    /** Too many live streams (of one capture, or on this controller); answered with {@code Retry-After}. */
    LiveStreamLimitReached(429),
    RequestHeaderFieldsTooLarge(431),
    InternalServerError(500),
    NotImplemented(501),
    ServiceUnavailable(503),
    /**
     * A live stream of a capture one of whose agents is connected to another controller of the cluster that this one
     * cannot reach (gone from the registry, refusing or not answering the relay); answered with {@code Retry-After}
     * (docs/captures.md "Live stream").
     */
    LiveStreamPeerUnreachable(503),
    HttpVersionNotSupported(505);

    private final int status;

    ArmErrorCode(int status) { this.status = status; }

    /** The HTTP status this code is answered with. */
    public int status() { return status; }

    /** The ARM error with this code, a message and a target (may be null). */
    public ArmError error(String message, String target) {
        return new ArmError(name(), message, target);
    }

    public ArmError error(String message) {
        return new ArmError(name(), message, null);
    }

    /** The code named {@code code}, or empty when it is not in the catalogue. */
    public static java.util.Optional<ArmErrorCode> of(String code) {
        for (ArmErrorCode c : values()) if (c.name().equals(code)) return java.util.Optional.of(c);
        return java.util.Optional.empty();
    }

    /** An exception carrying this code, a message and a target (may be null). */
    public ArmException exception(String message, String target) {
        return new ArmException(this, message, target);
    }

    public ArmException exception(String message) {
        return new ArmException(this, message, null);
    }
}
