package netwatcher.controller.operations;

import java.time.Instant;
import netwatcher.arm.ArmError;

/**
 * One long-running operation.
 *
 * @param id           the operation id (also the initiating request's x-ms-request-id)
 * @param subscriptionId subscription in the polling URLs
 * @param location     location in the polling URLs (lower-case)
 * @param kind         the feature's name for what runs ({@code capture.create}, {@code capture.stop}, ...)
 * @param targetKey    the key of the resource it acts on, for the resolver
 * @param status       InProgress, Succeeded or Failed
 * @param httpStatus   the final status the Location URL answers with (200 with body, 204 without)
 * @param resultJson   the final body for 200, or null
 * @param error        the error when Failed
 * @param deadline     when a pending operation gives up
 */
public record Operation(String id, String subscriptionId, String location, String kind, String targetKey,
                        Status status, Integer httpStatus, String resultJson, ArmError error,
                        Instant createdAt, Instant updatedAt, Instant deadline) {
    public enum Status { InProgress, Succeeded, Failed }

    /** What an operation acts on and where it is polled: its subscription and location, its kind and its target's key. */
    public record Subject(String subscriptionId, String location, String kind, String targetKey) {}

    /** How an operation ended: the columns its completion sets (the final status, and the body or the error). */
    public record Completion(Status status, Integer httpStatus, String resultJson, ArmError error) {}

    public boolean done() { return status != Status.InProgress; }
}
