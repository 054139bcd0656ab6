package netwatcher.controller.storage;

import netwatcher.arm.ArmErrorCode;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Content-Range} of one resumable upload request ({@code bytes start-end/total}, end inclusive), as
 * agents send capture files, ring files and check evidence to the controller.
 */
public record ContentRange(long start, long end, long total) {
    private static final Pattern FORM = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})");

    /**
     * Reads the header's value.
     *
     * @throws netwatcher.arm.ArmException InvalidParameter naming {@code Content-Range} when it is absent,
     *                                     malformed or inconsistent
     */
    public static ContentRange parse(String header) {
        Matcher m = header == null ? null : FORM.matcher(header.trim());
        if (m == null || !m.matches()) {
            throw ArmErrorCode.InvalidParameter.exception("An upload needs 'Content-Range: bytes start-end/total'.", "Content-Range");
        }
        ContentRange r = new ContentRange(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
        if (r.end() < r.start() || r.end() >= r.total()) {
            throw ArmErrorCode.InvalidParameter.exception("Content-Range '" + header + "' is inconsistent.", "Content-Range");
        }
        return r;
    }
}
