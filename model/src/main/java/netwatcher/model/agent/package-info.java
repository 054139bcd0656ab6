/**
 * The agent protocol, version 1 ({@code docs/agent-protocol.md}): the JSON bodies an agent and the
 * controller exchange over the agent's outbound HTTPS connection. Enrollment, host registration,
 * desired state (orders) by long-poll, and reports. Records only; both sides serialise them with
 * Jackson under the field names shown here, so renaming a component is a protocol change.
 */
package netwatcher.model.agent;
