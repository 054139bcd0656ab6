/**
 * Host inventory: what the agent reports about the machine it runs on when it registers
 * ({@code PUT /agent/v1/host}). {@link netwatcher.agent.host.HostInventory} reads the network
 * interfaces through {@code java.net.NetworkInterface} (names, MACs, addresses in CIDR form, leaving
 * out loopback, interfaces the operator ignores such as a lab's {@code mgmt0}, and IPv6 link-local
 * addresses), the OS name from {@code /etc/os-release}, and the problems that prevent capturing
 * (libpcap not loadable, {@code CAP_NET_RAW}/{@code CAP_NET_ADMIN} absent from the effective set in
 * {@code /proc/self/status}) in words an operator can act on. The daemon polls it and re-registers
 * when the interfaces change; the reconciler takes the capture interfaces and local addresses from it.
 */
package netwatcher.agent.host;
