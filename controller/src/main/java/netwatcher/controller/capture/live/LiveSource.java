package netwatcher.controller.capture.live;

/**
 * One host capture a stream shows: a one-VM capture has one, a fleet capture one per instance.
 *
 * @param captureKey the host capture's key (what its agent posts under)
 * @param vmKey      its VM's key (whose agent's orders list the watch)
 * @param interfaceName the stream's interface name, {@code vm/eth0} ({@code vm/any} for a capture of several NICs)
 * @param comment    the interface's {@code opt_comment}: the host
 */
public record LiveSource(String captureKey, String vmKey, String interfaceName, String comment) {}
