package netwatcher.controller.capture.merge;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * One host's capture file.
 *
 * @param vm            the VM name that prefixes each of its interfaces ({@code db1} → {@code db1/eth0})
 * @param interfaceName the interface a classic pcap file (which names none) was taken on; also the name of
 *                      a pcapng interface without {@code if_name}; null = {@code if0}, {@code if1}, ...
 * @param hostComment   the {@code opt_comment} of its interface blocks (e.g. the VM's resource id)
 * @param opener        opens the file for one sequential read
 */
public record MergeInput(String vm, String interfaceName, String hostComment, Opener opener) {
    public MergeInput {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(opener, "opener");
    }

    /** Opens an input's bytes (a file, a blob download). */
    @FunctionalInterface
    public interface Opener {
        ReadableByteChannel open() throws IOException;
    }
}
