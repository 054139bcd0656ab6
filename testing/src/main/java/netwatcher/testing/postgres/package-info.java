/**
 * A real PostgreSQL server for tests, started from the operating system's PostgreSQL binaries in a
 * temporary directory and removed again on every path. Real rather than emulated because the
 * contract tests exist to catch the differences between H2's PostgreSQL mode and PostgreSQL itself
 * (types, locking, upsert syntax); one server is shared per test JVM because initdb plus start-up
 * costs seconds, while {@code CREATE DATABASE} per test class costs milliseconds. No JDBC driver is
 * needed here: databases are created with {@code createdb} over the server's private unix socket.
 */
package netwatcher.testing.postgres;
