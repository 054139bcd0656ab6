package netwatcher.cli.client;

/** The documented exit codes of {@code nw}'s ARM commands. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Any failure not listed below. */
    public static final int GENERIC = 1;
    /** The command line is wrong (picocli's own usage errors use the same code). */
    public static final int USAGE = 2;
    /** 401/403: no token, a bad or expired token, or no role for the operation. */
    public static final int AUTH = 3;
    /** 404: the resource (VM, watcher, capture, file) does not exist. */
    public static final int NOT_FOUND = 4;
    /** 400/409/412/413/416/422: the request was refused (bad parameters, conflict). */
    public static final int REFUSED = 5;
    /** A long-running operation ended Failed/Canceled, or a capture ended with status Error. */
    public static final int OPERATION_FAILED = 6;
    /** The endpoint could not be reached (connection refused, TLS failure, timeout). */
    public static final int CONNECTION = 7;

    /** The text printed in {@code nw --help}'s footer and in docs/getting-started.md. */
    public static final String HELP = """
            Exit codes: 0 ok, 1 generic failure, 2 usage error, 3 authentication/authorization (401/403), \
            4 not found (404), 5 refused: bad request or conflict (400/409/412/416), \
            6 long-running operation failed or capture ended in Error, 7 cannot connect (network, TLS, timeout).""";

    private ExitCodes() {}

    /** The exit code for an HTTP error status. */
    public static int forHttpStatus(int status) {
        return switch (status) {
            case 401, 403 -> AUTH;
            case 404, 410 -> NOT_FOUND;
            case 400, 409, 412, 413, 415, 416, 422 -> REFUSED;
            default -> GENERIC;
        };
    }
}
