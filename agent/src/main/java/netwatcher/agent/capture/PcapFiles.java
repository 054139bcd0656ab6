package netwatcher.agent.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and repairs classic pcap files (the only format libpcap's dumper writes) without libpcap.
 *
 * <p>A capture killed with SIGKILL (or a host that lost power) leaves the file as the last
 * {@code pcap_dump_flush} or stdio buffer write left it: usually complete records, sometimes a
 * record cut in the middle, because stdio writes its buffer whenever it fills. Readers such as
 * tshark reject such a tail ("cut short in the middle of a packet"), so
 * {@link #finalizeAfterCrash(Path)} truncates the file to its last complete record.
 *
 * <p>Thread-safety: stateless; callers must not run two methods on the same file at once, nor
 * while a capture is still writing it.
 */
public final class PcapFiles {
    private PcapFiles() {}

    /** Counts the complete records of {@code file} and reads its header; changes nothing. */
    public static PcapSummary summarize(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return summarize(channel, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pcap file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes a file left by a crashed capture valid: truncates it to the end of its last complete
     * record and forces it to disk. Returns the summary of what remains
     * ({@link PcapSummary#discardedBytes()} says how much was cut).
     *
     * @throws CaptureException when the file does not even hold a pcap file header (nothing to save)
     */
    public static PcapSummary finalizeAfterCrash(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            PcapSummary summary = summarize(channel, file);
            if (summary.discardedBytes() > 0) {
                channel.truncate(summary.bytes());
                channel.force(true);
            }
            return summary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair pcap file " + file + ": " + e.getMessage(), e);
        }
    }

    private static PcapSummary summarize(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        RecordWalker walker = RecordWalker.open(channel, file.toString());
        walker.walk(channel, size);
        return new PcapSummary(walker.linktype, walker.snapLength, walker.nanosecond, walker.packets(),
                walker.validEnd(), walker.firstPacket(), walker.lastPacket(), size - walker.validEnd());
    }
}
