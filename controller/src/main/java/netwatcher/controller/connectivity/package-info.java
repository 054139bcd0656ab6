/**
 * Connectivity check, IP flow verify and next hop: POST actions on a network watcher answered as
 * long-running operations. The controller records the check, hands each agent its part through
 * the agent protocol (source probes and traces; observers explain their own part with evidence;
 * a verifier evaluates its firewall; next hop reads its routes), and assembles the agents'
 * reports into ARM's {@code ConnectivityInformation}: hops mapped to registered NICs, issues on
 * the hop whose host proved them, reachability and latency from the probes. While the source
 * probes, its interim {@code probing} reports are kept (never finishing its part) and shown as the
 * operation's progress ({@code percentComplete}, {@code properties.phase/probesSent/probesFailed/hops}).
 */
package netwatcher.controller.connectivity;
