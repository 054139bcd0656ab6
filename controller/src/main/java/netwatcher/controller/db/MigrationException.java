package netwatcher.controller.db;

/**
 * Migrations could not be discovered, validated or applied; the controller must not start. The
 * message names the feature and file and says what to do.
 */
public final class MigrationException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
