/**
 * The agent's part of connectivity checks, IP flow verify and next hop. {@link
 * netwatcher.agent.check.CheckExecutor} runs each check order it is given (one part per key and role, once,
 * also across restarts) on its own threads; {@link netwatcher.agent.check.DestinationResolver} turns the
 * flow's destination (address, host name or URL) into what is probed; {@link
 * netwatcher.agent.check.InterimReports} sends the source's progress while it probes; {@link
 * netwatcher.agent.check.HostEvaluation} is the port to this host's firewall and routes ({@link
 * netwatcher.agent.check.HostConfigEvaluation} over {@code netwatcher.agent.hostcfg}), and {@link
 * netwatcher.agent.check.ProbeFindings} names what the probes themselves prove. Reports leave through the
 * {@link netwatcher.agent.check.CheckExecutor.Sink} the control loop provides.
 */
package netwatcher.agent.check;
