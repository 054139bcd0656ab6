package netwatcher.agent.control;

import java.time.Duration;
import java.util.Optional;

/**
 * A call to the controller failed: {@link #status()} is the HTTP status (0 when the controller could
 * not be reached at all), {@link #code()} the ARM error code of the body, when there was one, and
 * {@link #retryAfter()} what the controller's {@code Retry-After} asked for (a 503 under pressure).
 */
public final class ControllerException extends RuntimeException {
    private final int status;
    private final String code;
    private final Duration retryAfter;

    public ControllerException(int status, String code, String message, Throwable cause) {
        this(status, code, message, cause, null);
    }

    /** As the four-argument form, with the answer's {@code Retry-After} (null: none). */
    public ControllerException(int status, String code, String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public int status() { return status; }

    public String code() { return code; }

    /** How long the controller asked to wait before the next attempt, when it said. */
    public Optional<Duration> retryAfter() { return Optional.ofNullable(retryAfter); }

    /** True when the controller answered, so retrying the same request will likely fail the same way. */
    public boolean answered() { return status != 0; }

    /**
     * True when the controller that was asked is gone or cannot serve for now (unreachable, or 502, 503,
     * 504 from it or from a balancer in front): another controller may answer.
     */
    public boolean controllerUnavailable() { return status == 0 || status == 502 || status == 503 || status == 504; }

    /**
     * True for a controller's own "busy, come back" (503 with {@code Retry-After}, as the controllers send it),
     * as against a balancer's 503 without one or a controller that is gone ({@link ControllerEndpoints#busy}).
     */
    public boolean busy() { return status == 503 && retryAfter != null; }
}
