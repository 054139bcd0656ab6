/**
 * ARM long-running operations as rows: every 202/201 that promises a later answer records an
 * {@link netwatcher.controller.operations.Operation}, and the polling endpoints
 * ({@code .../locations/{location}/operations/{id}} for Azure-AsyncOperation and
 * {@code .../operationResults/{id}} for Location) read it back. Because operations live in the
 * database, a poll after a controller restart still answers. Pending operations are resolved
 * lazily on poll by the feature that owns their kind ({@link netwatcher.controller.operations.OperationResolver}),
 * so no background job has to survive a restart for a client to see the outcome. A resolver may
 * also report a pending operation's progress, which the Azure-AsyncOperation status body carries
 * as {@code percentComplete} and {@code properties} (ARM clients ignore both). Finished
 * operations expire after the retention (24 h by default, as ARM): a poll then answers 404 and the
 * sweeper deletes the row. Read-only actions (queryStatus) register a
 * {@link netwatcher.controller.operations.OperationService.Computed} kind instead: nothing is
 * stored, the operation id carries its start time and target, and the answer is computed per poll.
 * Work that finishes quickly is answered synchronously instead: a route waits a short time on
 * {@link netwatcher.controller.operations.OperationService#awaitOutcome} (woken by
 * {@code targetChanged} when an agent reports, re-checking for other controllers) and answers with
 * the spec's synchronous code, storing nothing; only when the wait runs out does it record an
 * operation and answer 202. Pending answers carry {@code Retry-After} (whole seconds, at least 1)
 * and {@code retry-after-ms} from the resolver's expected remaining time.
 */
package netwatcher.controller.operations;
