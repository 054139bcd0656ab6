package netwatcher.logging;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How log events are written: {@link #TEXT}, one readable line per event (the default), or
 * {@link #JSON}, one JSON object per line for log shippers. Chosen with {@code --log-format} on
 * {@code nw up} and {@code nw agent}, or the {@code log-format} setting (controller.properties,
 * agent.conf).
 */
public enum LogFormat {
    /** {@code 2026-12-03T08:00:00.123Z INFO  Reconciler capture started capture=pc1 vm=db}. */
    TEXT,
    /** {@code {"time":"2026-12-03T08:00:00.123Z","level":"INFO","logger":"...","message":"...","capture":"pc1"}}. */
    JSON;

    /** The setting's spelling: {@code text}, {@code json}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a setting value, case-insensitively.
     *
     * @param setting the setting's name, for the error message ({@code --log-format}, {@code log-format})
     * @throws IllegalArgumentException naming the setting and the accepted values
     */
    public static LogFormat parse(String setting, String value) {
        String v = value == null ? "" : value.trim();
        for (LogFormat f : values()) {
            if (f.settingValue().equalsIgnoreCase(v)) return f;
        }
        throw new IllegalArgumentException(setting + " must be one of "
                + Arrays.stream(values()).map(LogFormat::settingValue).collect(Collectors.joining(", ")) + "; was '" + value + "'");
    }
}
