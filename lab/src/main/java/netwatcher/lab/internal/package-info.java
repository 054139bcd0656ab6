/**
 * How the lab is made, behind {@link netwatcher.lab.Lab}: the write-ahead record of created objects
 * ({@link netwatcher.lab.internal.LabState}), the network build with batched {@code ip} commands
 * ({@link netwatcher.lab.internal.NetworkBuilder}), the helper processes
 * ({@link netwatcher.lab.internal.ServiceLauncher}), teardown in dependency order
 * ({@link netwatcher.lab.internal.Teardown}), process control by pid and start time and the
 * subprocess runner. Public only so the lab package can use it; not an API for other modules.
 */
package netwatcher.lab.internal;
