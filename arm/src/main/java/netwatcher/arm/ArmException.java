package netwatcher.arm;

import java.util.List;

/**
 * A failure that has an ARM answer: status, code, message, target. Thrown by feature code and
 * validation; rendered by the HTTP edge. Unchecked, since every caller up to the edge does the same.
 */
public final class ArmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ArmErrorCode code;
    private final transient ArmError error;

    public ArmException(ArmErrorCode code, String message, String target) {
        this(code, new ArmError(code.name(), message, target, List.of()), null);
    }

    public ArmException(ArmErrorCode code, ArmError error, Throwable cause) {
        super(error.code() + ": " + error.message(), cause);
        this.code = code;
        this.error = error;
    }

    public ArmErrorCode code() { return code; }

    public int status() { return code.status(); }

    public ArmError error() { return error; }
}
