package netwatcher.controller.http;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;

/**
 * The edge's input rules, in one place: what a request line, a media type, a tag set, a form body and a
 * {@code Range} header must look like before any handler sees them. Every rule fails with an
 * {@link ArmException} from the one catalogue; messages quote the offending part URL-safely and never
 * name a library. Stateless and thread-safe.
 *
 * <p>Paths are judged on the <em>raw</em> request target, before Jetty or anyone else decodes or
 * normalises it: a request that only names a resource after decoding ({@code %2F}, {@code %2e%2e})
 * or after dot-segment removal ({@code ..}) or after dropping a matrix parameter ({@code ;x=1}) must
 * never reach another resource than the one its bytes spell, so it is refused outright.
 */
public final class InputPolicy {
    /** ARM's tag limits: count per resource, name and value length. */
    public static final int MAX_TAGS = 50;
    public static final int MAX_TAG_NAME = 512;
    public static final int MAX_TAG_VALUE = 256;
    /** Characters ARM refuses in tag names. */
    private static final String TAG_NAME_FORBIDDEN = "<>%&\\?/";

    /** The methods any route may have; anything else is refused before routing. */
    public static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS");

    /** Longest quoted excerpt of caller input in a message. */
    private static final int QUOTE_LIMIT = 300;

    private InputPolicy() {}

    /** Refuses methods no route can have (CONNECT, TRACE, made-up ones) with 405. */
    public static void checkMethod(String method) {
        if (method == null || !METHODS.contains(method)) {
            throw ArmErrorCode.MethodNotAllowed.exception("The HTTP method '" + quote(method)
                    + "' is not supported. Supported methods: GET, HEAD, PUT, PATCH, POST, DELETE.");
        }
    }

    /**
     * Checks a raw (still percent-encoded) request path. Refused: dot segments ({@code .}, {@code ..}),
     * empty segments other than leading ones ({@code /a//b}),
     * matrix parameters ({@code ;}), encoded slash, backslash, dot, percent or control characters
     * ({@code %2F %5C %2E %25 %00..%1F %7F}), malformed escapes, escapes that are not UTF-8, and raw
     * characters outside RFC 3986's path characters.
     */
    public static void checkRawPath(String raw) {
        if (raw == null || raw.isEmpty()) return;
        if (raw.charAt(0) != '/') throw badPath("it must start with '/'");
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw badPath("'%' must be followed by two hexadecimal digits");
                }
                int b = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
                if (b < 0x20 || b == 0x7f) throw badPath("it contains an encoded control character (" + raw.substring(i, i + 3) + ")");
                switch (b) {
                    case '/' -> throw badPath("it contains an encoded slash (" + raw.substring(i, i + 3) + ")");
                    case '\\' -> throw badPath("it contains an encoded backslash (" + raw.substring(i, i + 3) + ")");
                    case '.' -> throw badPath("it contains an encoded dot (" + raw.substring(i, i + 3) + ")");
                    case '%' -> throw badPath("it contains an encoded percent sign (" + raw.substring(i, i + 3) + ")");
                    case ';' -> throw badPath("it contains an encoded semicolon (" + raw.substring(i, i + 3) + ")");
                    default -> { }
                }
                decoded.write(b);
                i += 2;
                continue;
            }
            if (c == ';') throw badPath("path parameters (';') are not allowed");
            if (c == '\\') throw badPath("it contains a backslash");
            if (!pathChar(c)) throw badPath("it contains the character U+" + String.format("%04X", (int) c) + ", which must be percent-encoded");
            decoded.write(c);
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded.toByteArray()));
        } catch (CharacterCodingException e) {
            throw badPath("its percent-encoded bytes are not UTF-8");
        }
        for (String segment : raw.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) throw badPath("it contains the segment '" + segment + "'");
        }
        // leading slashes are a base URL's trailing slash ("https://host/" + "/subscriptions/..."); an empty
        // segment further in would shift every segment after it into another route variable
        int start = 0;
        while (start < raw.length() && raw.charAt(start) == '/') start++;
        if (raw.indexOf("//", start) >= 0) throw badPath("it contains an empty segment ('//')");
    }

    /** RFC 3986 pchar without ';' (sub-delims, ':', '@') plus '/'; '%' is handled by the caller. */
    private static boolean pathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,=:@/".indexOf(c) >= 0;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static ArmException badPath(String why) {
        return ArmErrorCode.InvalidRequestFormat.exception("The request path is not valid: " + why + ".");
    }

    /**
     * Checks a request body's {@code Content-Type}: {@code application/json}, optionally with a
     * {@code charset=utf-8} parameter (any case, optionally quoted). Null (no header) is accepted.
     *
     * @throws ArmException UnsupportedMediaType (415) for anything else
     */
    public static void checkJsonMediaType(String contentType) {
        if (contentType == null) return;
        String[] parts = contentType.split(";", -1);
        boolean ok = parts[0].strip().equalsIgnoreCase("application/json");
        for (int i = 1; ok && i < parts.length; i++) {
            String p = parts[i].strip();
            int eq = p.indexOf('=');
            if (eq < 0 || !p.substring(0, eq).strip().equalsIgnoreCase("charset")) {
                ok = false;
                break;
            }
            String value = p.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) value = value.substring(1, value.length() - 1);
            ok = value.equalsIgnoreCase("utf-8") || value.equalsIgnoreCase("utf8");
        }
        if (!ok) {
            throw ArmErrorCode.UnsupportedMediaType.exception("The content media type '" + quote(contentType)
                    + "' is not supported. Only 'application/json' (optionally with charset=utf-8) is supported.");
        }
    }

    /**
     * Checks a resource's tags against ARM's limits: at most {@value #MAX_TAGS}, names up to
     * {@value #MAX_TAG_NAME} characters without {@code < > % & \ ? /} or control characters, values up
     * to {@value #MAX_TAG_VALUE} characters. {@code field} is the body path of the tag object.
     */
    public static Map<String, String> checkTags(Map<String, String> tags, String field) {
        if (tags.size() > MAX_TAGS) {
            throw ArmErrorCode.InvalidTagCount.exception("Property '" + field + "' has " + tags.size()
                    + " tags; a resource may have at most " + MAX_TAGS + ".", field);
        }
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            String name = tag.getKey();
            String target = field + "." + name;
            if (name.isEmpty() || name.isBlank()) {
                throw ArmErrorCode.InvalidTagNameCharacters.exception("Tag names in '" + field + "' must not be empty.", field);
            }
            if (name.length() > MAX_TAG_NAME) {
                throw ArmErrorCode.InvalidTagNameLength.exception("The tag name '" + quote(name) + "' is " + name.length()
                        + " characters long; tag names may have at most " + MAX_TAG_NAME + ".", field);
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (TAG_NAME_FORBIDDEN.indexOf(c) >= 0 || Character.isISOControl(c)) {
                    throw ArmErrorCode.InvalidTagNameCharacters.exception("The tag name '" + quote(name)
                            + "' contains a reserved character; tag names may not contain <, >, %, &, \\, ?, / or control characters.", target);
                }
            }
            if (tag.getValue().length() > MAX_TAG_VALUE) {
                throw ArmErrorCode.InvalidTagValueLength.exception("The value of tag '" + quote(name) + "' is "
                        + tag.getValue().length() + " characters long; tag values may have at most " + MAX_TAG_VALUE + ".", target);
            }
        }
        return tags;
    }

    /**
     * Parses an {@code application/x-www-form-urlencoded} body strictly: valid percent-escapes, UTF-8,
     * each parameter at most once (RFC 6749 §3.2).
     *
     * @throws ArmException InvalidRequestFormat naming the parameter
     */
    public static Map<String, String> form(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ArmErrorCode.InvalidRequestFormat.exception("The form body is not UTF-8.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = formDecode(eq < 0 ? pair : pair.substring(0, eq), "a parameter name");
            String v = formDecode(eq < 0 ? "" : pair.substring(eq + 1), "parameter '" + quote(k) + "'");
            if (out.putIfAbsent(k, v) != null) {
                throw ArmErrorCode.InvalidRequestFormat.exception("The form parameter '" + quote(k) + "' is given more than once.");
            }
        }
        return out;
    }

    private static String formDecode(String s, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                    throw ArmErrorCode.InvalidRequestFormat.exception("The form body is not validly URL-encoded in " + what + ".");
                }
                bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ArmErrorCode.InvalidRequestFormat.exception("The form body's " + what + " is not UTF-8 once decoded.");
        }
    }

    /** A satisfiable byte range of a representation: first and last byte, inclusive. */
    public record ByteRange(long first, long last) {
        public ByteRange {
            if (first < 0 || last < first) throw new IllegalArgumentException("empty range " + first + "-" + last);
        }

        public long length() { return last - first + 1; }
    }

    /**
     * Interprets a {@code Range} header (RFC 9110 §14) against a representation of {@code size} bytes.
     * Empty (serve the whole representation): no header, or a range unit other than {@code bytes}
     * (which a server must ignore). Positions of any length are accepted: beyond the representation
     * they are clamped or unsatisfiable, never an overflow.
     *
     * @throws ArmException RangeNotSatisfiable (416) for a malformed or multi-part byte range, or one
     *                      that lies wholly outside the representation
     */
    public static Optional<ByteRange> byteRange(String header, long size) {
        if (header == null) return Optional.empty();
        String h = header.strip();
        int eq = h.indexOf('=');
        if (eq < 0) throw unsatisfiable(header, size, "is not a byte range");
        if (!h.substring(0, eq).strip().equalsIgnoreCase("bytes")) return Optional.empty();
        String spec = h.substring(eq + 1).strip();
        if (spec.indexOf(',') >= 0) throw unsatisfiable(header, size, "asks for several ranges; only one is served");
        int dash = spec.indexOf('-');
        if (dash < 0) throw unsatisfiable(header, size, "is not a byte range");
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        if ((!a.isEmpty() && !digits(a)) || (!b.isEmpty() && !digits(b)) || (a.isEmpty() && b.isEmpty())) {
            throw unsatisfiable(header, size, "is not a byte range");
        }
        if (a.isEmpty()) {
            long suffix = position(b);
            if (suffix == 0 || size == 0) throw unsatisfiable(header, size, "lies outside the " + size + "-byte blob");
            return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
        }
        long first = position(a);
        long last = b.isEmpty() ? size - 1 : Math.min(size - 1, position(b));
        if (!b.isEmpty() && position(b) < first) throw unsatisfiable(header, size, "ends before it starts");
        if (first >= size) throw unsatisfiable(header, size, "lies outside the " + size + "-byte blob");
        return Optional.of(new ByteRange(first, last));
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** A decimal position; values beyond {@code Long.MAX_VALUE} saturate (they lie beyond any blob). */
    private static long position(String digits) {
        String d = digits.replaceFirst("^0+(?=.)", "");
        return d.length() > 18 ? Long.MAX_VALUE : Long.parseLong(d);
    }

    private static ArmException unsatisfiable(String header, long size, String why) {
        return ArmErrorCode.RangeNotSatisfiable.exception("The Range '" + quote(header) + "' " + why + ".");
    }

    /**
     * Caller input as it may appear in a message or URL: at most {@value #QUOTE_LIMIT} characters,
     * percent-encoded except for unreserved characters, so that nothing it holds can break out of the
     * quotes or a URL it is put into.
     */
    public static String quote(String input) {
        if (input == null) return "";
        String s = input.length() > QUOTE_LIMIT ? input.substring(0, QUOTE_LIMIT) : input;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~ :,=/@!$*()+".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                sb.append(URLEncoder.encode(s.substring(i, end), StandardCharsets.UTF_8).replace("+", "%20"));
                i = end - 1;
            }
        }
        return input.length() > QUOTE_LIMIT ? sb + "..." : sb.toString();
    }
}
