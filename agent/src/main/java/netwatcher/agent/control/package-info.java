/**
 * The agent's conversation with the controller and its durable local state. {@link
 * netwatcher.agent.control.ControllerClient} speaks protocol v1 over HTTPS trusting only the
 * configured CA ({@link netwatcher.agent.control.ControllerTls}), to the current one of the configured
 * controller URLs ({@link netwatcher.agent.control.ControllerEndpoints}: a balanced name, or a list it
 * moves along when a controller is gone or answers 502/503/504); retries wait with {@link
 * netwatcher.agent.control.Backoff} (jittered, exponential, capped, a {@code Retry-After} as a floor). {@link
 * netwatcher.agent.control.Reconciler} applies each full desired state and wires parts with one job
 * each: {@code OrdersLoop} long-polls the orders, {@code HostRegistrar} keeps the host registered,
 * {@code CapturePlan} (the pre-flight, no native code) turns an order into the engine's options,
 * {@code CaptureStarter} journals and starts a capture through the {@link
 * netwatcher.agent.control.CaptureRunner} port, {@code CaptureEnds} reports its end, {@code
 * UploadQueue} uploads the file, {@code ReportPump} delivers the outbox and {@code Recovery} finishes
 * what a crash left. Checks that need libpcap (its presence, the interfaces, the filter's one compile)
 * and the disk floor are the engine's, made once when a capture starts.
 *
 * <p>{@link netwatcher.agent.control.Journal} keeps, in the state directory, every capture the agent
 * took on and every report not yet delivered, written atomically, so that an agent killed at any
 * moment restarts knowing which captures died with it (reported {@code AgentLost} with the counters of
 * their finalised files) and what the controller has not yet heard. Captures never depend on the
 * controller being reachable.
 */
package netwatcher.agent.control;
