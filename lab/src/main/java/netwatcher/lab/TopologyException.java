package netwatcher.lab;

/** A topology that cannot be built: the message names the offending field. */
public final class TopologyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TopologyException(String message) {
        super(message);
    }

    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
