/**
 * Cluster mode's shared state beyond identity: agent presence as leases in the database
 * ({@link netwatcher.controller.cluster.DatabasePresence}; many VMs' presence is read in one statement), wake-ups of long-polls across controllers through
 * PostgreSQL {@code LISTEN/NOTIFY} ({@link netwatcher.controller.cluster.OrderWakeups}, a hint only: the
 * order rows stay the truth and each long-poll still re-checks them every second), and one leader for the
 * background work, elected through a lease row with a fencing epoch ({@link netwatcher.controller.cluster.Leadership}).
 * The controllers know each other through a registry ({@link netwatcher.controller.cluster.ControllerRegistry}: each
 * one's own URL and a heartbeat) and prove to each other that they are members with short-lived HMAC tokens under a
 * secret only the shared database holds ({@link netwatcher.controller.cluster.PeerTokens}), for the internal routes
 * such as the live stream's relay.
 * With the embedded database (one controller) none of it is used: presence and wake-ups stay in memory and
 * the controller is always the leader.
 */
package netwatcher.controller.cluster;
