package netwatcher.agent.capture;

/**
 * A capture could not be set up or failed: libpcap is missing, an interface does not exist, a
 * filter does not compile, the output path is refused. The message names the interface, filter or
 * path and carries libpcap's own text. Unchecked, like every netwatcher fault.
 *
 * <p>{@link #problem()} says which of the session's start checks refused, for callers that report
 * the kinds differently (the agent ends a filter it cannot use and a disk under its floor with
 * different reasons); everything else is {@link Problem#OTHER}.
 */
public class CaptureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which start check refused. */
    public enum Problem {
        /** The filter did not compile (libpcap's message) or not within {@link CaptureEngine#COMPILE_TIMEOUT}. */
        FILTER,
        /** Free space on the output's file system is under {@link CaptureOptions#diskFloorBytes()}. */
        DISK_FLOOR,
        /** Anything else: libpcap or a privilege missing, an interface refused, the file not creatable. */
        OTHER
    }

    private final Problem problem;

    public CaptureException(String message) { this(Problem.OTHER, message, null); }

    public CaptureException(String message, Throwable cause) { this(Problem.OTHER, message, cause); }

    public CaptureException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() { return problem; }
}
