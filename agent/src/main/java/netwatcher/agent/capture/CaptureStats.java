package netwatcher.agent.capture;

import java.time.Instant;

/**
 * Counters of one capture session, as of the last batch.
 *
 * @param packets        packets written to the file
 * @param bytesWritten   size of the file in bytes, header included (what libpcap has written,
 *                       counting its stdio buffer)
 * @param kernelReceived packets that passed the kernel BPF filter ({@code ps_recv}), including the
 *                       ones dropped and the ones still in the ring
 * @param kernelDrops    packets the kernel dropped because the ring was full ({@code ps_drop})
 * @param interfaceDrops packets the interface dropped ({@code ps_ifdrop}; Linux fills it only in
 *                       promiscuous mode, so it is normally 0)
 * @param firstPacket    kernel timestamp of the first packet in the file, or null before one arrived
 * @param lastPacket     kernel timestamp of the last packet in the file as of the last flush, or null
 * @param armedAt        when the capture was armed (filter installed, file open)
 */
public record CaptureStats(long packets, long bytesWritten, long kernelReceived, long kernelDrops,
                           long interfaceDrops, Instant firstPacket, Instant lastPacket, Instant armedAt) {
}
