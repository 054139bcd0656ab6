/**
 * The agent's conversation with the controller and its durable local state. {@link
 * netwatcher.agent.control.ControllerClient} speaks protocol v1 over HTTPS trusting only the
 * configured CA ({@link netwatcher.agent.control.ControllerTls}); {@link
 * netwatcher.agent.control.Reconciler} long-polls the desired state, starts and stops captures
 * through the {@link netwatcher.agent.control.CaptureRunner} port, reports, and hands finished files
 * to the uploads. {@link netwatcher.agent.control.Journal} keeps, in the state directory, every
 * capture the agent took on and every report not yet delivered, written atomically, so that an
 * agent killed at any moment restarts knowing which captures died with it (reported
 * {@code AgentLost} with the counters of their finalised files) and what the controller has not yet
 * heard. Captures never depend on the controller being reachable.
 */
package netwatcher.agent.control;
