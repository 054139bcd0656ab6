/**
 * The hosts agents registered, shown as ARM clients expect them: {@code Microsoft.Compute/virtualMachines}
 * with their {@code AzureNetworkWatcherExtension} (the agent: version, connected or not, what it lacks)
 * and {@code Microsoft.Network/networkInterfaces} with one ipConfiguration per address. Read-only
 * over ARM; written by the agent protocol. A VM GET or list with {@code $expand=instanceView} carries the
 * extensions inline, their agents' presence read at once ({@link netwatcher.controller.compute.AgentPresence#ofAll}:
 * one database statement per request in cluster mode, not one per VM). The per-VM desired-state generation lives here too.
 *
 * <p>Scale sets: an agent started with {@code --scale-set NAME} reports it with its host, and its VM
 * becomes an instance of {@code Microsoft.Compute/virtualMachineScaleSets/NAME} in the VM's resource
 * group ({@link netwatcher.controller.compute.ScaleSetRoutes}), with the next free instance id of the
 * set; the set exists while it has instances. A VM stays a {@code virtualMachines} resource too (its
 * {@code properties.virtualMachineScaleSet} names the set), so every VM operation keeps working on it.
 */
package netwatcher.controller.compute;
