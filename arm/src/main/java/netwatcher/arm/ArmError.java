package netwatcher.arm;

import java.util.List;

/**
 * An ARM error body's {@code error} object. {@code target} names the offending field path
 * ({@code properties.filters[0].localPort}) or is null. Its code is always one of {@link ArmErrorCode}
 * (the constructor refuses any other), so no code path can answer with a code outside the catalogue or
 * with a status decided by accident: {@link #kind()} gives the status.
 */
public record ArmError(String code, String message, String target, List<ArmError> details) {
    public ArmError {
        if (code == null || code.isBlank()) throw new IllegalArgumentException("code is required");
        if (ArmErrorCode.of(code).isEmpty()) throw new IllegalArgumentException("error code outside ArmErrorCode: " + code);
        if (message == null) throw new IllegalArgumentException("message is required");
        details = details == null ? List.of() : List.copyOf(details);
    }

    public ArmError(String code, String message, String target) {
        this(code, message, target, List.of());
    }

    /** The catalogue entry of this error's code: its HTTP status among others. */
    public ArmErrorCode kind() {
        return ArmErrorCode.valueOf(code);
    }
}
