/**
 * {@code Microsoft.Network/networkWatchers}: create, read, tag, delete and list, one per
 * subscription and location as in Azure, and the {@code NetworkWatcher_{location}} watcher in
 * {@code NetworkWatcherRG} that appears when the first host of a location registers.
 */
package netwatcher.controller.watchers;
