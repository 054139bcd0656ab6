/**
 * {@code nw admin}: the admin's commands for enrollment tokens, service principals, role
 * assignments, subscriptions and agents. Each command runs against the controller's
 * {@code /admin/v1} API when a controller answers at {@code --controller} (admin token from
 * {@code DIR/admin.token}, CA from {@code DIR/tls/ca.pem}), and otherwise opens the data directory's
 * database itself ({@link LocalAdmin}); the embedded H2 database admits one process at a time, so a
 * controller that holds it but cannot be reached is reported, never waited for. Both paths print the
 * same fields ({@code netwatcher.controller.admin.AdminViews}); secrets are printed once, when created.
 */
package netwatcher.cli.admin;
