package netwatcher.agent.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Cuts a time window out of several classic pcap files (a ring's files, oldest first, the one still being written
 * last) into one new pcap file: the snapshot of a running ring capture.
 *
 * <p><b>What is copied.</b> Every complete record whose timestamp lies in {@code [from, to]} (both ends included),
 * in the order the files and their records hold them, each copied byte for byte; the output's file header is the
 * first readable source's. A source is read up to its size when it is opened: a file still being written yields
 * the records its writer flushed by then (libpcap flushes after each dispatch batch), and a record cut short at that
 * end is left out, as is everything after the first implausible record header (the same rule as {@link PcapFiles}).
 * A source that is gone when it is opened (the ring removed it) is skipped and named in {@link Cut#missing()}; an
 * opened source stays readable even if the ring removes it meanwhile (Linux keeps an open file's data).
 *
 * <p><b>Cost.</b> Streamed: one read buffer and one write buffer ({@link #BUFFER} bytes each), whatever the files'
 * sizes; per record only its 16-byte header is decoded, and records outside the window are skipped, not copied.
 * Sources must share the byte order, timestamp resolution and link type (one ring always does); a source that
 * differs is refused with a {@link CaptureException}, since one pcap file has one header.
 *
 * <p>The framing (file header, which bytes are a record) is {@link PcapRecords}', shared with {@link RecordWalker}.
 *
 * <p>Thread-safety: stateless; the output file is written as {@code <out>.part} and renamed when complete, so a
 * reader never sees a partial snapshot.
 */
public final class PcapWindow {
    /** Bytes of each of the two buffers: holds at least one record of the largest snap length. */
    static final int BUFFER = 1 << 20;
    private static final int FILE_HEADER = PcapRecords.FILE_HEADER;
    private static final int RECORD_HEADER = PcapRecords.RECORD_HEADER;

    private PcapWindow() {}

    /**
     * What a cut wrote.
     *
     * @param file        the snapshot file
     * @param packets     records copied
     * @param bytes       the snapshot's size, file header included
     * @param firstPacket timestamp of the first copied record, or null when none was in the window
     * @param lastPacket  timestamp of the last copied record, or null
     * @param missing     sources that were gone when they were to be read
     */
    public record Cut(Path file, long packets, long bytes, Instant firstPacket, Instant lastPacket, List<Path> missing) {
        public Cut {
            Objects.requireNonNull(file, "file");
            missing = List.copyOf(missing);
        }
    }

    /**
     * Writes the records of {@code sources} whose timestamps lie in {@code [from, to]} into {@code out} (which must
     * not exist). A snapshot with no record in the window is still a valid pcap file (header only) when at least one
     * source was readable.
     *
     * @throws CaptureException when no source could be read, or sources differ in format
     * @throws IOException      on a read or write failure (the partial output is removed)
     */
    public static Cut cut(List<Path> sources, Instant from, Instant to, Path out) throws IOException {
        Objects.requireNonNull(sources, "sources");
        if (to.isBefore(from)) throw new IllegalArgumentException("window ends (" + to + ") before it starts (" + from + ")");
        long fromNanos = nanos(from);
        long toNanos = nanos(to);
        Path part = out.resolveSibling(out.getFileName() + ".part");
        Copy copy = new Copy(fromNanos, toNanos);
        List<Path> missing = new ArrayList<>();
        try (FileChannel writer = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            copy.writer = writer;
            for (Path source : sources) {
                FileChannel reader;
                try {
                    reader = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    missing.add(source);
                    continue;
                }
                try (reader) {
                    copy.file(reader, source);
                }
            }
            if (copy.header == null) {
                throw new CaptureException("no source of the snapshot could be read (" + sources.size() + " given, "
                        + missing.size() + " gone)");
            }
            copy.flush();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, out, StandardCopyOption.ATOMIC_MOVE);
        return new Cut(out, copy.packets, copy.written, copy.first(), copy.last(), missing);
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    /** The state of one cut. */
    private static final class Copy {
        final long fromNanos, toNanos;
        final ByteBuffer in = ByteBuffer.allocate(BUFFER);
        final ByteBuffer outBuffer = ByteBuffer.allocate(BUFFER);
        FileChannel writer;
        PcapRecords header; // the first readable source's file header
        long packets, written;
        long firstNanos = Long.MIN_VALUE, lastNanos;

        Copy(long fromNanos, long toNanos) {
            this.fromNanos = fromNanos;
            this.toNanos = toNanos;
        }

        void file(FileChannel reader, Path source) throws IOException {
            long end = reader.size(); // what the writer flushed by now; later appends are not this snapshot's
            ByteBuffer h = ByteBuffer.allocate(FILE_HEADER);
            while (h.hasRemaining() && reader.read(h, h.position()) > 0) { /* fill */ }
            if (h.position() < FILE_HEADER) return; // a file just opened by the ring, header not yet written: no records
            PcapRecords format = PcapRecords.parse(h.array(), source.toString());
            if (header == null) {
                header = format;
                put(format.header(), 0, FILE_HEADER);
            } else if (!header.sameFormat(format)) {
                throw new CaptureException(source + " differs in byte order, timestamp resolution or link type from the"
                        + " snapshot's first file: one pcap file cannot hold both");
            }
            long maxCaplen = Math.min(BUFFER - RECORD_HEADER, format.maxCaplen());
            ByteOrder order = format.order();
            in.clear().limit(0);
            in.order(order);
            long position = FILE_HEADER; // file offset of in's limit
            while (true) {
                if (in.remaining() < RECORD_HEADER) {
                    position = refill(reader, position, end);
                    if (in.remaining() < RECORD_HEADER) return;
                }
                int at = in.position();
                long seconds = Integer.toUnsignedLong(in.getInt(at));
                long fraction = Integer.toUnsignedLong(in.getInt(at + 4));
                long caplen = Integer.toUnsignedLong(in.getInt(at + 8));
                long len = Integer.toUnsignedLong(in.getInt(at + 12));
                if (!format.plausible(seconds, fraction, caplen, len, maxCaplen)) {
                    return; // not a record: the file's valid end
                }
                int record = RECORD_HEADER + (int) caplen;
                if (in.remaining() < record) {
                    position = refill(reader, position, end);
                    if (in.remaining() < record) return; // cut short at the flushed end
                    continue;
                }
                long t = format.nanos(seconds, fraction);
                if (t >= fromNanos && t <= toNanos) {
                    put(in.array(), at, record);
                    packets++;
                    if (firstNanos == Long.MIN_VALUE) firstNanos = t;
                    lastNanos = t;
                }
                in.position(at + record);
            }
        }

        /** Moves the unread bytes to the buffer's start and reads more, up to {@code end}; returns the new file offset. */
        private long refill(FileChannel reader, long position, long end) throws IOException {
            in.compact();
            long want = Math.min(in.remaining(), end - position);
            if (want > 0) {
                int limit = in.limit();
                in.limit(in.position() + (int) want);
                while (in.hasRemaining()) {
                    int n = reader.read(in, position);
                    if (n <= 0) break;
                    position += n;
                }
                in.limit(limit);
            }
            in.flip();
            return position;
        }

        private void put(byte[] bytes, int offset, int length) throws IOException {
            if (outBuffer.remaining() < length) flush();
            outBuffer.put(bytes, offset, length);
            written += length;
        }

        void flush() throws IOException {
            outBuffer.flip();
            while (outBuffer.hasRemaining()) writer.write(outBuffer);
            outBuffer.clear();
        }

        Instant first() { return firstNanos == Long.MIN_VALUE ? null : instant(firstNanos); }

        Instant last() { return firstNanos == Long.MIN_VALUE ? null : instant(lastNanos); }

        private static Instant instant(long nanos) {
            return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        }

    }
}
