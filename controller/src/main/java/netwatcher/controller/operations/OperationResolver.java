package netwatcher.controller.operations;

import java.util.Optional;

/**
 * Decides, for the operations of one kind, whether a pending operation is done. Implemented by
 * the feature that started it; called on every poll of a pending operation. Thread-safe.
 */
public interface OperationResolver {
    /** The outcome when the operation has finished, or empty while it still runs. */
    Optional<Outcome> resolve(Operation operation);

    /**
     * How far a pending operation has come, for the Azure-AsyncOperation status body (ARM clients
     * ignore the extra fields). Empty by default: the body then carries only the ARM status.
     */
    default Optional<Progress> progress(Operation operation) { return Optional.empty(); }

    /**
     * How much longer a pending operation is expected to run, for the polling answers' {@code Retry-After}
     * (whole seconds, at least 1) and {@code retry-after-ms}. Empty by default: the
     * {@link OperationService#DEFAULT_POLL} then applies.
     */
    default Optional<java.time.Duration> expectedRemaining(Operation operation) { return Optional.empty(); }

    /**
     * Interim progress of a running operation.
     *
     * @param percentComplete ARM's optional {@code percentComplete} (0..100)
     * @param properties      rendered as the status body's {@code properties} object
     */
    record Progress(double percentComplete, java.util.Map<String, Object> properties) {
        public Progress {
            properties = properties == null ? java.util.Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
        }
    }

    /** How an operation ended. */
    sealed interface Outcome permits Success, Failure {}

    /** Succeeded: the Location URL answers {@code httpStatus} with {@code resultJson} (null for 204). */
    record Success(int httpStatus, String resultJson) implements Outcome {}

    /** Failed with an ARM error. */
    record Failure(netwatcher.arm.ArmError error) implements Outcome {}
}
