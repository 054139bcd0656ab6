/**
 * Live stream of a running packet capture ({@code GET .../packetCaptures/{name}/stream}, docs/captures.md "Live
 * stream"): pcapng to the client while the capture runs, several hosts interleaved for a fleet capture.
 *
 * <p>Pipeline: the agent's libpcap writes the capture file in C; while someone watches, the agent sends the newly
 * flushed bytes of the file(s) it writes ({@code POST /agent/v1/captures/{key}/live}, docs/agent-protocol.md) to
 * the watcher's controller. {@link PcapChunks} cuts those bytes into whole records (a record split across two
 * posts is carried over), {@link LiveHub} hands each record to every stream of the capture without blocking, and
 * each {@link LiveStream} keeps a bounded queue of its own: a reader that falls behind loses whole records,
 * counted, and is told in-band (a comment on the next packet it gets and an interface statistics block), while
 * the agent and the other readers go on unaffected. The pcapng is written by the merge's writer
 * ({@code capture.merge.PcapngWriter}): one interface block per host interface, named {@code vm/eth0}.
 * {@link LiveRoutes} registers the ARM route and the agent's route. In a cluster, {@link PeerRelays} lets any
 * controller serve a stream: hosts whose agent talks to a peer are relayed from that peer's hub over the internal
 * route {@code /internal/v1/live/{key}}, as {@link RelayFrames}, into the reader's own stream.
 */
package netwatcher.controller.capture.live;
