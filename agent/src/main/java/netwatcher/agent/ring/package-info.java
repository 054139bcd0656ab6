/**
 * Ring captures on the agent: what happens to each file of a capture's file set once the capture engine closed it
 * ({@link netwatcher.agent.ring.RingKeeper}): uploaded at once, to its own blob or local-account file, kept on the
 * host until the ring needs its place, removed after its upload (or earlier, with the loss reported, when uploads
 * fall behind), and listed in the capture's status. Depends on the engine's records
 * ({@code netwatcher.agent.capture}) and the uploads ({@code netwatcher.agent.upload}); the control loop
 * ({@code netwatcher.agent.control}) owns one keeper per ring capture.
 */
package netwatcher.agent.ring;
