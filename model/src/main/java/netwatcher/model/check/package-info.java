/**
 * The connectivity vocabulary shared by controller and agents (agent protocol v1, section 8 of
 * {@code docs/agent-protocol.md}): a flow, a check order for one agent in one role (source that
 * probes and traces, observer that explains its own part, verifier for IP flow verify, next hop),
 * and what an agent reports back (probe summary, trace hops, findings with their evidence).
 * Records only; the JSON field names are the component names.
 */
package netwatcher.model.check;
