package netwatcher.model.capture;

import java.util.Locale;

/** The {@code protocol} of an ARM packet-capture filter (wire values {@code TCP}, {@code UDP}, {@code Any}). */
public enum FilterProtocol {
    TCP("TCP"), UDP("UDP"), ANY("Any");

    private final String wire;

    FilterProtocol(String wire) { this.wire = wire; }

    public String wire() { return wire; }

    /** Parses a wire value case-insensitively; {@code null} or blank means {@link #ANY} (the ARM default). */
    public static FilterProtocol parse(String value) {
        if (value == null || value.isBlank()) return ANY;
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "TCP" -> TCP;
            case "UDP" -> UDP;
            case "ANY", "ALL" -> ANY;
            default -> throw new IllegalArgumentException(
                    "protocol must be one of TCP, UDP, Any; was '" + value + "'");
        };
    }
}
