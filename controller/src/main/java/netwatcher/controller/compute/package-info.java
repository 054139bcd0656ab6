/**
 * The hosts agents registered, shown as ARM clients expect them: {@code Microsoft.Compute/virtualMachines}
 * with their {@code AzureNetworkWatcherExtension} (the agent: version, connected or not, what it lacks)
 * and {@code Microsoft.Network/networkInterfaces} with one ipConfiguration per address. Read-only
 * over ARM; written by the agent protocol. The per-VM desired-state generation lives here too.
 */
package netwatcher.controller.compute;
