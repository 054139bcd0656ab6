/**
 * Cluster mode, for real: several controllers (in this JVM, or as processes of their own) on one PostgreSQL
 * database, checking what they must share (identity, default subscription, the public URL in every URL they emit),
 * that racing creates through different controllers answer 409 rather than 500, and that a busy or vanished
 * database is answered 503 with {@code Retry-After}. Tagged {@code external}: they start PostgreSQL.
 */
package netwatcher.controller.cluster;
