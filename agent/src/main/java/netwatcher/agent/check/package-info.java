/**
 * The agent's part of connectivity checks, IP flow verify and next hop. {@link
 * netwatcher.agent.check.CheckExecutor} is the check scheduler: it runs each check order it is given (one part
 * per key and role, once, also across restarts) on its own threads and sends each part's reports to the {@link
 * netwatcher.agent.check.CheckExecutor.Sink} the control loop provides (the journal's check outbox). The parts:
 * {@link netwatcher.agent.check.SourcePipeline} takes a source from its order to its final report ({@link
 * netwatcher.agent.check.DestinationResolver} turns the flow's destination, an address, host name or URL, into what
 * is probed; {@link netwatcher.agent.check.TraceAlongside} traces while the probes run; {@link
 * netwatcher.agent.check.InterimReports} sends the progress; {@link netwatcher.agent.check.ProbeFindings} names
 * what the probes themselves prove); {@link netwatcher.agent.check.ObserverPart} arms and explains an observer
 * ({@link netwatcher.agent.check.ObserverRoutes}: only the route lookup the flow meets on this host). {@link
 * netwatcher.agent.check.EvidenceArming} arms either part's evidence capture alongside, {@link
 * netwatcher.agent.check.Alongside} runs independent host commands in the part's namespace, and {@link
 * netwatcher.agent.check.PartReports} makes every report. {@link netwatcher.agent.check.HostEvaluation} is the port
 * to this host's firewall and routes ({@link netwatcher.agent.check.HostConfigEvaluation} over {@code
 * netwatcher.agent.hostcfg}).
 */
package netwatcher.agent.check;
