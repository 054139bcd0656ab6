package netwatcher.testing.bidi;

/**
 * A WebDriver BiDi command that failed: the browser's error ({@code error} is the protocol's code, e.g.
 * {@code no such frame}), no answer within the timeout, or the connection gone. The message names the command.
 */
public final class BidiException extends RuntimeException {
    private final String error;

    public BidiException(String error, String message) {
        super(message);
        this.error = error;
    }

    public BidiException(String error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    /** The protocol's error code, or {@code timeout} / {@code connection closed} for the client's own. */
    public String error() {
        return error;
    }
}
