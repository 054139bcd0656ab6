package netwatcher.lab;

/** The lab could not be built, changed or removed; the message names the step and the kernel's answer. */
public final class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
