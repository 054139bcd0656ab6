package netwatcher.agent.capture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one capture session captures, where it writes, and when it stops.
 *
 * @param interfaces     interface names; empty means the host's interfaces that carry its addresses
 *                       (not loopback, see {@link CaptureEngine#hostInterfaces()}); one interface is
 *                       opened directly (its own link type), several through the {@code any} device
 *                       with link type LINUX_SLL2 and an {@code ifindex} filter
 * @param bpfFilter      libpcap filter text ({@link netwatcher.model.capture.BpfFilters#compile}); {@code ""} captures everything
 * @param snapLength     bytes kept of each packet; {@code 0} means the whole packet (262144, libpcap's maximum)
 * @param bufferBytes    size of the kernel ring ({@code pcap_set_buffer_size}, in bytes); {@code 0}
 *                       means the default of 32 MiB, which rides out a ~70 ms scheduling stall at
 *                       450 kpps (1 MiB dropped packets in measurements, 32 MiB never did). It is
 *                       allocated by {@code pcap_activate}, which is most of the start latency
 * @param byteLimit      stop with {@link EndCause#BYTE_LIMIT} once the file holds this many bytes;
 *                       {@code 0} means no limit. Checked after each batch, and a batch is bounded
 *                       so the file exceeds the limit by at most one record (16 + snapLength bytes)
 * @param timeLimit      stop with {@link EndCause#TIME_LIMIT} this long after the capture was armed;
 *                       {@link Duration#ZERO} means no limit
 * @param output         the pcap file to create; it must not exist
 * @param diskFloorBytes stop with {@link EndCause#DISK_FLOOR} before free space on the output's file
 *                       system falls below this; checked before arming and after each batch
 * @param flushInterval  the file is flushed to the kernel at least this often while data is pending
 *                       (default 1 s), so a kill -9 loses at most that much
 * @param ring           write a set of files instead of one ({@link RingOptions}), or null for one file. With a
 *                       ring, {@code output} names the capture and the files are named after it
 *                       ({@link RingFile#name}); {@code byteLimit} then bounds the bytes of all files together
 */
public record CaptureOptions(List<String> interfaces, String bpfFilter, int snapLength, int bufferBytes,
                             long byteLimit, Duration timeLimit, Path output, long diskFloorBytes,
                             Duration flushInterval, RingOptions ring) {

    /** The whole packet: libpcap's MAXIMUM_SNAPLEN. */
    public static final int WHOLE_PACKET = 262_144;
    public static final int DEFAULT_BUFFER_BYTES = 32 << 20;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.:@+-]{1,15}");

    public CaptureOptions {
        interfaces = List.copyOf(Objects.requireNonNull(interfaces, "interfaces"));
        for (String name : interfaces) {
            if (!INTERFACE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("interfaces: '" + name + "' is not an interface name (1-15 characters)");
            }
        }
        if (interfaces.stream().distinct().count() != interfaces.size()) {
            throw new IllegalArgumentException("interfaces: " + interfaces + " names an interface twice");
        }
        bpfFilter = bpfFilter == null ? "" : bpfFilter.strip();
        if (snapLength < 0 || snapLength > WHOLE_PACKET) {
            throw new IllegalArgumentException("snapLength must be 0 (whole packet) to " + WHOLE_PACKET + "; was " + snapLength);
        }
        if (snapLength == 0) snapLength = WHOLE_PACKET;
        if (bufferBytes < 0) throw new IllegalArgumentException("bufferBytes must be >= 0; was " + bufferBytes);
        if (bufferBytes == 0) bufferBytes = DEFAULT_BUFFER_BYTES;
        if (bufferBytes < 256 << 10) {
            throw new IllegalArgumentException("bufferBytes must be at least 256 KiB (one ring block); was " + bufferBytes);
        }
        if (byteLimit < 0) throw new IllegalArgumentException("byteLimit must be >= 0 (0 = none); was " + byteLimit);
        if (byteLimit > 0 && byteLimit < 24) {
            throw new IllegalArgumentException("byteLimit must leave room for the 24-byte pcap header; was " + byteLimit);
        }
        if (timeLimit == null) timeLimit = Duration.ZERO;
        if (timeLimit.isNegative()) throw new IllegalArgumentException("timeLimit must not be negative; was " + timeLimit);
        Objects.requireNonNull(output, "output");
        if (!output.isAbsolute() || output.getFileName() == null) {
            throw new IllegalArgumentException("output must be an absolute file path; was " + output);
        }
        if (diskFloorBytes < 0) throw new IllegalArgumentException("diskFloorBytes must be >= 0; was " + diskFloorBytes);
        if (flushInterval == null) flushInterval = DEFAULT_FLUSH_INTERVAL;
        if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("flushInterval must be positive and at most 1 h; was " + flushInterval);
        }
    }

    /** Everything on the host's interfaces, whole packets, 32 MiB ring, no limits, no disk floor, 1 s flush. */
    public static CaptureOptions of(Path output) {
        return new CaptureOptions(List.of(), "", 0, 0, 0, Duration.ZERO, output, 0, DEFAULT_FLUSH_INTERVAL, null);
    }

    public CaptureOptions withInterfaces(List<String> value) {
        return new CaptureOptions(value, bpfFilter, snapLength, bufferBytes, byteLimit, timeLimit, output, diskFloorBytes, flushInterval, ring);
    }

    public CaptureOptions withBpfFilter(String value) {
        return new CaptureOptions(interfaces, value, snapLength, bufferBytes, byteLimit, timeLimit, output, diskFloorBytes, flushInterval, ring);
    }

    public CaptureOptions withSnapLength(int value) {
        return new CaptureOptions(interfaces, bpfFilter, value, bufferBytes, byteLimit, timeLimit, output, diskFloorBytes, flushInterval, ring);
    }

    public CaptureOptions withBufferBytes(int value) {
        return new CaptureOptions(interfaces, bpfFilter, snapLength, value, byteLimit, timeLimit, output, diskFloorBytes, flushInterval, ring);
    }

    public CaptureOptions withByteLimit(long value) {
        return new CaptureOptions(interfaces, bpfFilter, snapLength, bufferBytes, value, timeLimit, output, diskFloorBytes, flushInterval, ring);
    }

    public CaptureOptions withTimeLimit(Duration value) {
        return new CaptureOptions(interfaces, bpfFilter, snapLength, bufferBytes, byteLimit, value, output, diskFloorBytes, flushInterval, ring);
    }

    public CaptureOptions withOutput(Path value) {
        return new CaptureOptions(interfaces, bpfFilter, snapLength, bufferBytes, byteLimit, timeLimit, value, diskFloorBytes, flushInterval, ring);
    }

    public CaptureOptions withDiskFloorBytes(long value) {
        return new CaptureOptions(interfaces, bpfFilter, snapLength, bufferBytes, byteLimit, timeLimit, output, value, flushInterval, ring);
    }

    public CaptureOptions withRing(RingOptions value) {
        return new CaptureOptions(interfaces, bpfFilter, snapLength, bufferBytes, byteLimit, timeLimit, output, diskFloorBytes, flushInterval, value);
    }

    public CaptureOptions withFlushInterval(Duration value) {
        return new CaptureOptions(interfaces, bpfFilter, snapLength, bufferBytes, byteLimit, timeLimit, output, diskFloorBytes, value, ring);
    }
}
