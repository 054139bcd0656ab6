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
    PreconditionFailed(412),
    RequestEntityTooLarge(413),
    RequestUriTooLong(414),
    UnsupportedMediaType(415),
    RangeNotSatisfiable(416),
    RequestHeaderFieldsTooLarge(431),
    InternalServerError(500),
    NotImplemented(501),
    ServiceUnavailable(503),
    HttpVersionNotSupported(505);

    private final int status;

    ArmErrorCode(int status) { this.status = status; }

    /** The HTTP status this code is answered with. */
    public int status() { return status; }

    /** An exception carrying this code, a message and a target (may be null). */
    public ArmException exception(String message, String target) {
        return new ArmException(this, message, target);
    }

    public ArmException exception(String message) {
        return new ArmException(this, message, null);
    }
}
