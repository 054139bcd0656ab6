package netwatcher.agent.capture;

/**
 * A capture could not be set up or failed: libpcap is missing, an interface does not exist, a
 * filter does not compile, the output path is refused. The message names the interface, filter or
 * path and carries libpcap's own text. Unchecked, like every netwatcher fault.
 */
public class CaptureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CaptureException(String message) { super(message); }

    public CaptureException(String message, Throwable cause) { super(message, cause); }
}
