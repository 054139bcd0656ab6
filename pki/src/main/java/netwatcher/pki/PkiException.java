package netwatcher.pki;

/** A certificate or key that cannot be made, read or used; the message names the file or subject. */
public class PkiException extends RuntimeException {
    public PkiException(String message) { super(message); }

    public PkiException(String message, Throwable cause) { super(message, cause); }
}
