package netwatcher.agent.live;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Follows the capture file being written: hands out the bytes flushed since the last chunk, moving on to a ring's
 * next file once the current one is closed (its rest sent first). A new tail starts at the end of the last whole
 * record of the file being written, so a watcher sees packets from now on; every chunk of a file after that
 * starts where the last ended (a record may be cut between two chunks: the controller carries it). Not
 * thread-safe: one shipper owns it.
 */
final class LiveTail {
    static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    /** Bytes of one file: its pcap header and then its bytes from {@code offset}. */
    record Chunk(String file, long offset, byte[] body, int dataLength) {}

    private final Path capturePath;
    private final Pattern ringName;
    private Path current;
    private long currentIndex = -1;
    private byte[] header;
    private long offset;

    /** Follows {@code capturePath} itself, or, when {@code ring}, the ring's files named after it (docs/captures.md). */
    LiveTail(Path capturePath, boolean ring) {
        this.capturePath = capturePath;
        if (ring) {
            String file = capturePath.getFileName().toString();
            int dot = file.lastIndexOf('.');
            String stem = dot > 0 ? file.substring(0, dot) : file;
            String ext = dot > 0 && dot < file.length() - 1 ? file.substring(dot + 1) : "pcap";
            ringName = Pattern.compile(Pattern.quote(stem) + "_(\\d{6,})_\\d{8}T\\d{6}\\.\\d{3}Z\\." + Pattern.quote(ext));
        } else {
            ringName = null;
        }
    }

    /** The file followed now, or null before it exists. */
    Path current() { return current; }

    /** Where the next chunk of the current file starts. */
    long offset() { return offset; }

    /** The current file's pcap header, or null before a file was found. */
    byte[] header() { return header; }

    /** The bytes flushed since the last chunk (at most {@code max}), or null when there are none now. */
    Chunk next(int max) throws IOException {
        if (current == null && !open(true)) return null;
        Chunk c = read(max);
        if (c != null || ringName == null) return c;
        // nothing new: a ring's file is complete once a newer one exists (the session closes before it opens the next)
        Path newer = newest();
        if (newer == null || newer.equals(current)) return null;
        c = read(max); // what the closing flush wrote after the size was read
        if (c != null) return c;
        Path next = following();
        if (next == null) return null;
        use(next, false);
        return read(max);
    }

    /** Marks {@code c} as delivered. */
    void advance(Chunk c) {
        offset += c.dataLength();
    }

    private Chunk read(int max) throws IOException {
        long size;
        try {
            size = Files.size(current);
        } catch (NoSuchFileException e) {
            return null; // a ring replaced it: the next one is picked up when none is newer
        }
        if (size <= offset) return null;
        int n = (int) Math.min(max, size - offset);
        byte[] body = new byte[FILE_HEADER + n];
        System.arraycopy(header, 0, body, 0, FILE_HEADER);
        try (FileChannel ch = FileChannel.open(current, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(body, FILE_HEADER, n);
            long at = offset;
            while (b.hasRemaining()) {
                int r = ch.read(b, at);
                if (r < 0) break;
                at += r;
            }
            int got = b.position() - FILE_HEADER;
            if (got <= 0) return null;
            if (got < n) body = java.util.Arrays.copyOf(body, FILE_HEADER + got);
            return new Chunk(current.getFileName().toString(), offset, body, got);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Opens the file being written; {@code fromEnd}: at its last whole record, else at its first. */
    private boolean open(boolean fromEnd) throws IOException {
        Path p = ringName == null ? (Files.isRegularFile(capturePath) ? capturePath : null) : newest();
        if (p == null) return false;
        return use(p, fromEnd);
    }

    private boolean use(Path p, boolean fromEnd) throws IOException {
        byte[] h;
        long end;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
            h = in.readNBytes(FILE_HEADER);
            if (h.length < FILE_HEADER) return false; // the header is flushed before the file is listed; not there yet
            end = fromEnd ? lastBoundary(in, h, Files.size(p)) : FILE_HEADER;
        } catch (NoSuchFileException e) {
            return false;
        }
        current = p;
        header = h;
        offset = end;
        if (ringName != null) currentIndex = indexOf(p);
        return true;
    }

    /** The end of the last whole record among the first {@code size} bytes (reads record headers, skips data). */
    private static long lastBoundary(InputStream in, byte[] header, long size) throws IOException {
        int magic = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        ByteOrder order = magic == 0xA1B2C3D4 || magic == 0xA1B23C4D ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        long at = FILE_HEADER;
        byte[] rec = new byte[RECORD_HEADER];
        while (size - at >= RECORD_HEADER) {
            if (in.readNBytes(rec, 0, RECORD_HEADER) < RECORD_HEADER) break;
            int caplen = ByteBuffer.wrap(rec).order(order).getInt(8);
            if (caplen < 0 || size - at - RECORD_HEADER < caplen) break;
            in.skipNBytes(caplen);
            at += RECORD_HEADER + caplen;
        }
        return at;
    }

    private long indexOf(Path p) {
        Matcher m = ringName.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The ring's file with the highest index, or null. */
    private Path newest() throws IOException {
        return pick(Long.MAX_VALUE, true);
    }

    /** The ring's file with the lowest index above the current one, or null. */
    private Path following() throws IOException {
        return pick(currentIndex, false);
    }

    private Path pick(long after, boolean highest) throws IOException {
        Path dir = capturePath.getParent();
        Path best = null;
        long bestIndex = highest ? -1 : Long.MAX_VALUE;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                long i = indexOf(f);
                if (i < 0) continue;
                if (highest ? i > bestIndex : i > after && i < bestIndex) {
                    best = f;
                    bestIndex = i;
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        return best;
    }
}
