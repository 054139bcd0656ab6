package netwatcher.cli.client;

/**
 * A failure a command reports to the user: the ARM error code (or a local one such as
 * {@code ConnectionFailed}), its message, and the exit code from {@link ExitCodes}. Immutable.
 */
public final class CliException extends RuntimeException {
    private final int exitCode;
    private final String code;

    public CliException(int exitCode, String code, String message) {
        super(message);
        this.exitCode = exitCode;
        this.code = code;
    }

    public CliException(int exitCode, String code, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.code = code;
    }

    public static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, "UsageError", message);
    }

    public int exitCode() { return exitCode; }

    public String code() { return code; }
}
