package netwatcher.controller.capture.merge;

/**
 * What a merge wrote.
 *
 * @param packets    packets written (the sum of the inputs' packets)
 * @param interfaces interface blocks written (one per host interface that had a packet)
 * @param bytes      bytes of the output file
 */
public record MergeResult(long packets, int interfaces, long bytes) {}
