/**
 * The controller's side of the agent protocol ({@code docs/agent-protocol.md}): enrollment,
 * agent credentials (only a hash is stored; compared in constant time), host registration,
 * desired state by long-poll (woken in-process on commit, and re-checked against the database
 * every second so several controllers on one PostgreSQL converge), reports, resumable uploads to
 * local storage accounts, and agent presence. An agent acts only for its own VM.
 */
package netwatcher.controller.agents;
