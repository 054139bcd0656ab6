package netwatcher.arm;

import java.util.List;

/**
 * An ARM error body's {@code error} object. {@code target} names the offending field path
 * ({@code properties.filters[0].localPort}) or is null.
 */
public record ArmError(String code, String message, String target, List<ArmError> details) {
    public ArmError {
        if (code == null || code.isBlank()) throw new IllegalArgumentException("code is required");
        if (message == null) throw new IllegalArgumentException("message is required");
        details = details == null ? List.of() : List.copyOf(details);
    }

    public ArmError(String code, String message, String target) {
        this(code, message, target, List.of());
    }
}
