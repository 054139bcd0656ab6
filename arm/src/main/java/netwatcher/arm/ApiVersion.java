package netwatcher.arm;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ARM {@code api-version}: {@code YYYY-MM-DD} optionally followed by {@code -preview},
 * {@code -alpha}, {@code -beta}, {@code -rc} or {@code -privatepreview}. netwatcher accepts every
 * such version from 2016-09-01 (the first Network Watcher API) on; behaviour that differs by
 * version asks {@link #atLeast}.
 */
public record ApiVersion(LocalDate date, String suffix) implements Comparable<ApiVersion> {
    private static final Pattern FORMAT =
            Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})(-(preview|alpha|beta|rc|privatepreview))?", Pattern.CASE_INSENSITIVE);
    /** The first api-version of Microsoft.Network/networkWatchers. */
    public static final LocalDate FIRST = LocalDate.of(2016, 9, 1);
    /**
     * The first api-version of Microsoft.Resources (subscriptions, tenants): the az CLI's Azure Stack
     * profiles list subscriptions with 2016-06-01, older than any Network version.
     */
    public static final LocalDate FIRST_RESOURCES = LocalDate.of(2014, 4, 1);

    /**
     * Parses and checks an api-version query value.
     *
     * @throws ArmException MissingApiVersionParameter when absent, InvalidApiVersionParameter when
     *                      malformed or older than 2016-09-01
     */
    public static ApiVersion require(String value) {
        return require(value, FIRST);
    }

    /** As {@link #require(String)}, with the oldest accepted version {@code first} (a provider's first api-version). */
    public static ApiVersion require(String value, LocalDate first) {
        if (value == null || value.isEmpty()) {
            throw ArmErrorCode.MissingApiVersionParameter.exception(
                    "The api-version query parameter (?api-version=) is required for all requests.", "api-version");
        }
        // taken exactly as given: ARM does not trim, and a value with spaces would be echoed into URLs
        Matcher m = FORMAT.matcher(value);
        if (!m.matches()) {
            throw ArmErrorCode.InvalidApiVersionParameter.exception("The api-version '" + echo(value)
                    + "' is invalid. The supported versions are YYYY-MM-DD or YYYY-MM-DD-preview, from " + first + " on.", "api-version");
        }
        LocalDate date;
        try {
            date = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (DateTimeException e) {
            throw ArmErrorCode.InvalidApiVersionParameter.exception(
                    "The api-version '" + value + "' is not a valid date.", "api-version");
        }
        if (date.isBefore(first)) {
            throw ArmErrorCode.InvalidApiVersionParameter.exception("The api-version '" + value
                    + "' is invalid. The supported versions are " + first + " and later.", "api-version");
        }
        return new ApiVersion(date, m.group(5) == null ? "" : m.group(5).toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * An api-version as given, made safe to quote in a message or a URL: percent-encoded (only
     * letters, digits, '-', '.', '_' and '~' stay as they are) and cut to 40 characters.
     */
    public static String echo(String value) {
        String v = value.length() > 40 ? value.substring(0, 40) : value;
        String encoded = java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
        return value.length() > 40 ? encoded + "..." : encoded;
    }

    /** True when this version is on or after {@code yyyyMmDd} (e.g. {@code "2018-04-01"}). */
    public boolean atLeast(String yyyyMmDd) {
        return !date.isBefore(LocalDate.parse(yyyyMmDd));
    }

    @Override
    public int compareTo(ApiVersion o) { return date.compareTo(o.date); }

    @Override
    public String toString() { return suffix.isEmpty() ? date.toString() : date + "-" + suffix; }
}
