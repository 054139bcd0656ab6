package netwatcher.model.check;

/**
 * The flow a check is about. Addresses are literal IPs once known; {@code destinationHost} keeps
 * a name or URL the source agent still has to resolve.
 *
 * @param protocol           Tcp, Http, Https, Icmp (connectivity) or TCP, UDP (IP flow verify)
 * @param sourceAddress      the source host's address, or null for "whatever the route picks"
 * @param sourcePort         0 = any / ephemeral
 * @param destinationAddress literal IP, or null until resolved
 * @param destinationHost    a host name or URL to resolve on the source, or null
 * @param destinationPort    0 = the protocol's default
 * @param direction          Inbound or Outbound, for IP flow verify; null otherwise
 * @param preferredIpVersion IPv4, IPv6 or null
 */
public record Flow(String protocol, String sourceAddress, int sourcePort, String destinationAddress,
                   String destinationHost, int destinationPort, String direction, String preferredIpVersion) {}
