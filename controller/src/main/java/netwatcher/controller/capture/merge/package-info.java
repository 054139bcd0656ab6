/**
 * One time-ordered pcapng out of the per-host files of a fleet capture. {@link
 * netwatcher.controller.capture.merge.PcapMerger} is a streamed k-way merge: each input (classic
 * pcap in either byte order and with micro- or nanosecond timestamps, or pcapng with any number of
 * sections and interfaces) is read through one fixed buffer, only its next packet is held, and a
 * priority queue on (timestamp, input position) picks the packet to write, so memory grows with the
 * number of inputs and the largest packet, never with the size of a file, and no file is read twice.
 * Equal timestamps keep the inputs' order, and a file's own packets keep their file order.
 *
 * <p>The output has one Interface Description Block per (host, interface) pair, named {@code
 * vm/eth0} with the host in an {@code opt_comment}, written just before that interface's first
 * packet (pcapng allows an IDB anywhere before its first use), so the writer never looks ahead. Every
 * output interface has nanosecond resolution ({@code if_tsresol} 9); link type and snap length are
 * the input's. Inputs with different link types therefore merge into one valid file, which a classic
 * pcap (one link type per file) could not hold. A truncated last record (a file cut while it was
 * written) ends that input; anything else that is not a capture file is a {@link
 * netwatcher.controller.capture.merge.PcapFormatException} naming the input and the offset.
 */
package netwatcher.controller.capture.merge;
