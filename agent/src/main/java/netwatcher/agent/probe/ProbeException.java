package netwatcher.agent.probe;

/**
 * This host could not probe at all (no raw socket, bind refused, no usable address): a fault of the
 * probing side, not an outcome of the path. Carries the errno and the stage that failed.
 */
public final class ProbeException extends RuntimeException {
    private final int errno;
    private final String stage;

    public ProbeException(String message, int errno, String stage) {
        super(message);
        this.errno = errno;
        this.stage = stage;
    }

    /** The libc errno, or 0. */
    public int errno() { return errno; }

    /** socket, bind, resolve, ... */
    public String stage() { return stage; }
}
