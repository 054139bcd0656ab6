package netwatcher.agent.control;

/**
 * A call to the controller failed: {@link #status()} is the HTTP status (0 when the controller could
 * not be reached at all) and {@link #code()} the ARM error code of the body, when there was one.
 */
public final class ControllerException extends RuntimeException {
    private final int status;
    private final String code;

    public ControllerException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() { return status; }

    public String code() { return code; }

    /** True when the controller answered, so retrying the same request will likely fail the same way. */
    public boolean answered() { return status != 0; }
}
