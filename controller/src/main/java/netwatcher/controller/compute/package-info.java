/**
 * The hosts agents registered, shown as ARM clients expect them: {@code Microsoft.Compute/virtualMachines}
 * with their {@code AzureNetworkWatcherExtension} (the agent: version, connected or not, what it lacks)
 * and {@code Microsoft.Network/networkInterfaces} with one ipConfiguration per address. Read-only
 * over ARM; written by the agent protocol. A VM GET or list with {@code $expand=instanceView} carries the
 * extensions inline, their agents' presence read at once ({@link netwatcher.controller.compute.AgentPresence#ofAll}:
 * one database statement per request in cluster mode, not one per VM). The per-VM desired-state generation lives here too.
 */
package netwatcher.controller.compute;
