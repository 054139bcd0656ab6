/**
 * One place to find the controller: {@code nw up} writes a {@link netwatcher.cli.discovery.ControllerRecord}
 * ({@code DIR/controller.json}: the URL it actually listens on, the CA and admin-token files, its pid,
 * start time and version; mode 0600, written atomically, marked stopped on a clean exit) into its data
 * directory, and {@link netwatcher.cli.discovery.ControllerDiscovery} reads it back for {@code nw},
 * {@code nw admin} and {@code nw lab}: running (process alive and port answering), not running (with
 * what shows it and the command that fixes it), or no record. Decided without waiting: a dead pid is
 * seen at once, a port gets one short connect. The precedence between this record, explicit flags and
 * a stored login is the callers' ({@code netwatcher.cli.client.LoginResolver} for the ARM commands).
 */
package netwatcher.cli.discovery;
