package netwatcher.controller.operations;

import java.util.Optional;

/**
 * Decides, for the operations of one kind, whether a pending operation is done. Implemented by
 * the feature that started it; called on every poll of a pending operation. Thread-safe.
 */
public interface OperationResolver {
    /** The outcome when the operation has finished, or empty while it still runs. */
    Optional<Outcome> resolve(Operation operation);

    /** How an operation ended. */
    sealed interface Outcome permits Success, Failure {}

    /** Succeeded: the Location URL answers {@code httpStatus} with {@code resultJson} (null for 204). */
    record Success(int httpStatus, String resultJson) implements Outcome {}

    /** Failed with an ARM error. */
    record Failure(netwatcher.arm.ArmError error) implements Outcome {}
}
