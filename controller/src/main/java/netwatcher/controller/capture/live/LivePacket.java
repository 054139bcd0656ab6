package netwatcher.controller.capture.live;

/**
 * One whole capture record received from an agent, ready for the pcapng writer.
 *
 * @param source         the capture key of the host capture it came from (one per instance of a fleet capture)
 * @param linktype       the file's link-layer type
 * @param snaplen        the file's snapshot length
 * @param timestampNanos the packet's time, nanoseconds since the epoch
 * @param data           the captured bytes (caplen of them)
 * @param origlen        the packet's length on the wire
 */
record LivePacket(String source, int linktype, int snaplen, long timestampNanos, byte[] data, int origlen) {
    /** Bytes this packet holds in a stream's queue (its data and a record's overhead). */
    long cost() { return data.length + 32L; }
}
