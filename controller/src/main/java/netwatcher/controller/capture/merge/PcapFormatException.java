package netwatcher.controller.capture.merge;

/** An input that is not a pcap or pcapng file, or is corrupt before its end; the message names the input and offset. */
public final class PcapFormatException extends RuntimeException {
    PcapFormatException(String message) {
        super(message);
    }
}
