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
     * The transaction lost a race and may succeed if retried: serialization failure (40001, also
     * H2's deadlock), PostgreSQL deadlock (40P01) or H2 lock timeout (HYT00).
     */
    public boolean isRetryable() {
        String state = sqlState();
        return "40001".equals(state) || "40P01".equals(state) || "HYT00".equals(state);
    }
}
