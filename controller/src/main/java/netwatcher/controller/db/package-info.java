/**
 * Durable state: {@link netwatcher.controller.db.Database} (a HikariCP pool plus a small JDBC API)
 * over an embedded H2 file database by default or PostgreSQL by configuration, with versioned
 * per-feature migrations. Full design notes follow in a later revision of this file.
 */
package netwatcher.controller.db;
