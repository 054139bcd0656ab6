package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code nw watcher packet-capture stream}: a running capture's packets as they happen, pcapng on standard output
 * ({@code GET .../packetCaptures/{name}/stream}), for {@code tshark -r -} or {@code wireshark -k -i -}. Refuses a
 * terminal standard output; on a terminal standard error it shows the packets received and missed.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Stream a running capture's packets live, as pcapng on standard output.",
            "Ends when the capture ends. A reader that falls behind loses whole packets; the stream says how many in a comment "
                + "on the next packet it gets, and the count is shown on standard error when it is a terminal.",
            PacketCaptureCommand.SCOPE_NOTE},
        footerHeading = "%nExamples:%n", footer = {
            "  nw watcher packet-capture stream -n pc1 | tshark -r -",
            "  nw watcher packet-capture stream -n pc1 | wireshark -k -i -",
            "  nw watcher packet-capture stream -n fleet1 > fleet1.pcapng"})
public class StreamCommand extends ArmCommand {
    private static final Pattern MISSED = Pattern.compile("netwatcher: (\\d+) packets missed");
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    @Mixin PacketCaptureCommand.CaptureRef ref;

    /** Standard output as bytes (tests replace it). */
    protected OutputStream stdout() { return new FileOutputStream(FileDescriptor.out); }

    /** Whether standard output is a terminal (read from /proc/self/fd/1 on Linux). */
    protected boolean stdoutIsTerminal() {
        Path fd1 = Path.of("/proc/self/fd/1");
        if (Files.exists(fd1, LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd1).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null && System.console().isTerminal();
    }

    @Override
    protected int execute() {
        if (stdoutIsTerminal()) {
            throw CliException.usage("standard output is a terminal; the stream is binary pcapng: pipe it to a reader, e.g. "
                    + "`nw watcher packet-capture stream -n " + ref.name + " | tshark -r -`, or redirect it to a file");
        }
        ArmClient arm = client();
        JsonNode capture = ref.find(arm);
        boolean progress = Progress.terminal(env());
        Counter counter = new Counter();
        Instant lastShown = Instant.EPOCH;
        try (InputStream in = arm.openStream(capture.path("id").asText() + "/stream", ArmClient.NETWORK_API)) {
            OutputStream out = stdout();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
                counter.scan(buf, n);
                if (progress && Duration.between(lastShown, clock().instant()).compareTo(PROGRESS_EVERY) >= 0) {
                    lastShown = clock().instant();
                    err().print("\r\033[Kstream " + ref.name + ": " + counter.packets + " packets, " + counter.missed + " missed");
                    err().flush();
                }
            }
            out.flush();
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Broken pipe")) return 0; // the reader (tshark -c N) closed
            throw new CliException(ExitCodes.CONNECTION, "StreamInterrupted", "stream of " + ref.name + " stopped: " + e.getMessage(), e);
        }
        if (progress) {
            err().println("\r\033[Kstream " + ref.name + ": ended; " + counter.packets + " packets, " + counter.missed + " missed");
            err().flush();
        }
        return 0;
    }

    /** Counts enhanced packet blocks and the missed packets their comments name, across reads. Not thread-safe. */
    static final class Counter {
        long packets;
        long missed;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        void scan(byte[] data, int length) {
            pending.write(data, 0, length);
            byte[] all = pending.toByteArray();
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            int p = 0;
            while (all.length - p >= 8) {
                int type = b.getInt(p);
                int blockLength = b.getInt(p + 4);
                if (blockLength < 12 || all.length - p < blockLength) break;
                if (type == 6) packets++;
                if (type == 6 || type == 5) { // a packet's comment, or a statistics block's when no packet followed the gap
                    String text = new String(all, p, blockLength, StandardCharsets.ISO_8859_1);
                    Matcher m = MISSED.matcher(text);
                    if (m.find()) missed += Long.parseLong(m.group(1));
                }
                p += blockLength;
            }
            pending.reset();
            pending.write(all, p, all.length - p);
        }
    }
}
