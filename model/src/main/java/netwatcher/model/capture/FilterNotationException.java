package netwatcher.model.capture;

/**
 * A filter value that does not follow ARM's notation. {@link #field()} names the filter field
 * ({@code localIPAddress}, {@code remotePort}, ...) so the ARM layer can put it in {@code target}.
 */
public final class FilterNotationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public FilterNotationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() { return field; }
}
