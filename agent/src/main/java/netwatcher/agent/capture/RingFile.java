package netwatcher.agent.capture;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One closed file of a ring capture ({@link RingOptions}), as the session handed it over.
 *
 * <p><b>Names.</b> A ring's files lie in the directory of the capture's path ({@code localPath}, under the
 * captures root), named after it: {@code <stem>_<index>_<start>.<ext>}, where {@code stem} and {@code ext} are
 * the capture path's file name without and with its extension ({@code pcap} when it has none), {@code index}
 * counts the capture's files from 1 on six or more digits (never reused, also after a file was replaced) and
 * {@code start} is when the file was opened, UTC, {@code yyyyMMdd'T'HHmmss.SSS'Z'}. So
 * {@code /var/captures/web/pc1.cap} gives {@code /var/captures/web/pc1_000001_20261203T144305.123Z.cap},
 * {@code pc1_000002_...}: sorting by name sorts by index.
 *
 * @param index      1, 2, 3, ... in the order the session opened them
 * @param path       the file
 * @param openedAt   when it was opened (the session's clock)
 * @param closedAt   when it was closed
 * @param bytes      its size, header included
 * @param packets    complete records in it
 * @param firstPacket timestamp of its first record, or null when it has none
 * @param lastPacket  timestamp of its last record, or null
 */
public record RingFile(long index, Path path, Instant openedAt, Instant closedAt, long bytes, long packets,
                       Instant firstPacket, Instant lastPacket) {
    private static final DateTimeFormatter START = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("(.+)_(\\d{6,})_(\\d{8}T\\d{6}\\.\\d{3}Z)\\.([A-Za-z0-9]+)");

    /** The file name of file {@code index} of the capture written to {@code capturePath}, opened at {@code start}. */
    public static String name(Path capturePath, long index, Instant start) {
        String file = capturePath.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        String ext = dot > 0 && dot < file.length() - 1 ? file.substring(dot + 1) : "pcap";
        return String.format("%s_%06d_%s.%s", stem, index, START.format(start), ext);
    }

    /** The index in a ring file's name, or -1 when {@code name} is not one. */
    public static long indexOf(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? Long.parseLong(m.group(2)) : -1;
    }

    /**
     * When the file named {@code name} was opened, read from its name; {@code fallback} when the name carries no
     * start time ({@link #name}).
     */
    public static Instant openedAtOf(String name, Instant fallback) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) return fallback;
        try {
            return START.parse(m.group(3), Instant::from);
        } catch (java.time.format.DateTimeParseException e) {
            return fallback;
        }
    }

    /** The file's name. */
    public String name() { return path.getFileName().toString(); }
}
