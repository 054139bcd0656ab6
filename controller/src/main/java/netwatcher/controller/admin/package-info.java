/**
 * The admin API routes that are not about credentials ({@code /admin/v1/subscriptions},
 * {@code /admin/v1/agents}, a service principal's secret reset) and {@link AdminViews}, the one
 * rendering of every admin object, shared by these routes, the credential routes in
 * {@code netwatcher.controller.security} and {@code nw admin}'s offline mode so that the command
 * prints the same fields whether it talks to a running controller or opens the data directory.
 * Views never contain secret hashes; a secret appears only in the answer that created it.
 */
package netwatcher.controller.admin;
