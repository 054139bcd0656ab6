/**
 * The agent's side of a capture's live stream (docs/agent-protocol.md "Live stream"): while the controller's
 * orders list a capture as watched ({@code Orders.live}), a {@link LiveShipper} thread sends the newly flushed
 * bytes of the file(s) the capture writes to the watcher's controller, and tells the capture to flush after
 * every dispatch batch. It reads the files libpcap's {@code pcap_dump} wrote (no per-packet work in the
 * capture's hot path and no copy of the packets in Java on the capture thread): {@link LiveTail} follows the
 * file being written, a ring's rollover included, and starts a watcher at the end of the last whole record.
 * {@link LiveShippers} starts and stops the shippers as the orders change. Nothing here touches libpcap.
 */
package netwatcher.agent.live;
