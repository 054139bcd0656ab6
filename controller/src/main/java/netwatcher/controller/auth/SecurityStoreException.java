package netwatcher.controller.auth;

/** The security tables could not be read or written; the message carries the SQL. */
public class SecurityStoreException extends RuntimeException {
    public SecurityStoreException(String message, Throwable cause) { super(message, cause); }
}
