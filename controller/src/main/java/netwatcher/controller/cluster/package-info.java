/**
 * Cluster mode's shared state beyond identity: agent presence as leases in the database
 * ({@link netwatcher.controller.cluster.DatabasePresence}; many VMs' presence is read in one statement), wake-ups of long-polls across controllers through
 * PostgreSQL {@code LISTEN/NOTIFY} ({@link netwatcher.controller.cluster.OrderWakeups}, a hint only: the
 * order rows stay the truth and each long-poll still re-checks them every second), and one leader for the
 * background work, elected through a lease row with a fencing epoch ({@link netwatcher.controller.cluster.Leadership}).
 * With the embedded database (one controller) none of it is used: presence and wake-ups stay in memory and
 * the controller is always the leader.
 */
package netwatcher.controller.cluster;
