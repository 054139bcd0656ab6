package netwatcher.cli.admin;

/** A failure to report to the admin as one line, without a stack trace. */
public final class AdminException extends RuntimeException {
    public AdminException(String message) {
        super(message);
    }

    public AdminException(String message, Throwable cause) {
        super(message, cause);
    }
}
