package netwatcher.controller.connectivity;

import netwatcher.model.check.ProbeSpec;

/**
 * A validated check request.
 *
 * @param kind               connectivity | ipFlowVerify | nextHop
 * @param sourceVm           the VM whose agent acts (the source, or the target of ipFlowVerify / nextHop)
 * @param sourcePort         connectivity: source port (0 = any)
 * @param destinationVm      connectivity: a destination VM id, or null
 * @param destinationAddress connectivity: an address, host name or URL, or null; ipFlowVerify/nextHop: remote/destination IP
 * @param destinationPort    0 = the protocol's default
 * @param protocol           Tcp, Http, Https, Icmp (connectivity); TCP, UDP (ipFlowVerify)
 * @param http               HTTP settings, or null
 * @param preferredIpVersion IPv4, IPv6 or null
 * @param direction          ipFlowVerify: Inbound or Outbound
 * @param localAddress       ipFlowVerify: the VM's address; nextHop: the source address
 * @param localPort          ipFlowVerify
 */
public record CheckRequest(String kind, String sourceVm, int sourcePort, String destinationVm, String destinationAddress,
                           int destinationPort, String protocol, ProbeSpec.Http http, String preferredIpVersion,
                           String direction, String localAddress, int localPort) {
    public static final String CONNECTIVITY = "connectivity";
    public static final String IP_FLOW_VERIFY = "ipFlowVerify";
    public static final String NEXT_HOP = "nextHop";
}
