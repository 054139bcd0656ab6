/**
 * The capture engine: libpcap driven through the FFM API ({@code java.lang.foreign}), writing
 * classic pcap files with no Java code per packet.
 *
 * <p><b>Shape.</b> {@code Pcap} (package-private) is the only class that binds libpcap; its downcall
 * handles are linked and warmed up once. {@link netwatcher.agent.capture.CaptureSession} runs one
 * capture on its own platform thread, looping {@code pcap_dispatch(p, cnt, &pcap_dump, dumper)}: the
 * callback is libpcap's own {@code pcap_dump}, passed as a native function pointer, so packets go
 * from the kernel ring to the file inside C. Java runs between batches only: byte limit
 * ({@code pcap_dump_ftell64}), disk floor ({@code statvfs}), kernel counters ({@code pcap_stats}),
 * flushes. {@link netwatcher.model.capture.BpfFilters} builds the filter text from ARM's structured
 * filters, {@link netwatcher.agent.capture.CapturePaths} confines files to the captures root and
 * {@link netwatcher.agent.capture.PcapFiles} summarises and repairs files without libpcap.
 *
 * <p><b>Ring, timeout, stop.</b> The kernel ring is set explicitly with {@code pcap_set_buffer_size}
 * (32 MiB by default: libpcap's Linux default of 2 MiB drops packets during a scheduling stall of a
 * few ms at high rates; 32 MiB measured no drops at 450 kpps). libpcap 1.10 uses TPACKET_V3, where
 * {@code to_ms} is the kernel's block-retire timeout and a blocking dispatch on an idle link never
 * returns, so limits are enforced by a timer thread calling {@code pcap_breakloop}, never by waiting
 * for a packet. {@code to_ms} is 50 ms (was 100; halved so a stop closes the file sooner, BENCHMARKS.md): it bounds delivery latency at low rates and what a stop would
 * lose, because a partly filled block reaches userland only when retired. A stop therefore keeps
 * dispatching for {@link netwatcher.agent.capture.CaptureSession#DRAIN} (two retire periods plus
 * slack) before breaking the loop; then {@code pcap_stats}, {@code pcap_dump_close},
 * {@code pcap_close}. Immediate mode is not used (it costs about 7x the CPU at high rates).
 *
 * <p><b>Counts and timestamps.</b> {@code pcap_dispatch} returns -2 after {@code pcap_breakloop}
 * without saying how many packets that call wrote, so the packet count and the first/last packet
 * times come from the file itself: whenever the session flushes (at least every
 * {@link netwatcher.agent.capture.CaptureOptions#flushInterval()}, and at the end) it walks the
 * 16-byte record headers written since the previous walk through a read-only mapping. That is a
 * few nanoseconds per packet, off libpcap's per-packet path; between flushes the live count adds the
 * values {@code pcap_dispatch} returned. The final count is exact. Bytes are {@code pcap_dump_ftell64}.
 * Files use <b>nanosecond</b> timestamps (magic {@code a1b23c4d}, "nsecpcap", read by tshark, tcpdump
 * and Wireshark), falling back to microseconds on a device that cannot provide them.
 *
 * <p><b>Several interfaces.</b> A pcap file has one link type and {@code pcap_dump} writes one file
 * per {@code pcap_t}. One interface is opened directly (its own link type, EN10MB on Ethernet). For
 * several, the session opens the {@code any} device, selects link type LINUX_SLL2 (276, which
 * records the interface index of every packet) and prefixes the filter with
 * {@code (ifindex a or ifindex b ...)}, so one valid file holds exactly those interfaces. Packets
 * routed between two captured interfaces appear once per interface, as with tcpdump.
 *
 * <p><b>Start checks, once.</b> {@link netwatcher.agent.capture.CaptureSession#start} is the one place
 * that checks libpcap and the privileges, the interfaces, free space against the floor
 * ({@link netwatcher.agent.capture.CaptureEngine#requireFreeSpace}) and the filter, which it compiles
 * once, for the live handle, on the capture thread within
 * {@link netwatcher.agent.capture.CaptureEngine#COMPILE_TIMEOUT}; a refusal's
 * {@link netwatcher.agent.capture.CaptureException#problem()} names the check.
 * {@link netwatcher.agent.capture.CaptureEngine#filterCompilations()} counts every compile.
 *
 * <p><b>Namespaces and concurrency.</b> Each session has its own {@code pcap_t} and ring, so sessions
 * on the same interfaces do not disturb each other. The capture thread inherits the network
 * namespace of the thread that calls {@code start}.
 */
package netwatcher.agent.capture;
