package netwatcher.controller.db;

import java.sql.SQLException;

/**
 * A database fault: a failed statement, a lost connection, a broken migration. Unchecked; the
 * message names the statement or migration and keeps the driver's cause. {@link #sqlState()} and the
 * predicates let callers act on the few conditions they can handle (a duplicate key becomes an ARM
 * conflict, a deadlock may be retried) without parsing driver messages.
 */
public class DatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }

    public DatabaseException(String message) {
        super(message);
    }

    /** The SQLSTATE of the first {@link SQLException} in the cause chain, or null. */
    public String sqlState() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** A unique or primary-key constraint was violated (SQLSTATE 23505 on both engines). */
    public boolean isUniqueViolation() {
        return "23505".equals(sqlState());
    }

    /**
     * The database could not be reached or had no connection to spare: the pool's wait for a connection
     * ran out ({@link java.sql.SQLTransientConnectionException}), a connection failed or was refused
     * (SQLSTATE class 08), the server is shutting down or starting (57P01, 57P02, 57P03) or has no
     * connection slot left (53300). Nothing about the request is wrong: the HTTP edge answers 503 with
     * {@code Retry-After}, and the same request may succeed later or on another controller.
     */
    public boolean isUnavailable() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("53300")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The transaction lost a race and may succeed if retried: serialization failure (40001, also
     * H2's deadlock), PostgreSQL deadlock (40P01) or H2 lock timeout (HYT00).
     */
    public boolean isRetryable() {
        String state = sqlState();
        return "40001".equals(state) || "40P01".equals(state) || "HYT00".equals(state);
    }
}
