package netwatcher.controller.connectivity;

import java.util.ArrayList;
import java.util.List;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.http.AccessControl.Permission;
import netwatcher.controller.http.AccessControl.Reference;
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
 * @param targetNic          ipFlowVerify / nextHop: the {@code targetNicResourceId} as given, or null
 */
public record CheckRequest(String kind, String sourceVm, int sourcePort, String destinationVm, String destinationAddress,
                           int destinationPort, String protocol, ProbeSpec.Http http, String preferredIpVersion,
                           String direction, String localAddress, int localPort, String targetNic) {
    public static final String CONNECTIVITY = "connectivity";
    public static final String IP_FLOW_VERIFY = "ipFlowVerify";
    public static final String NEXT_HOP = "nextHop";

    /**
     * Every resource this check touches besides its watcher, all in the watcher's subscription: a
     * connectivity check sends traffic from its source (Contributor) and names its destination VM
     * (Reader); IP flow verify and next hop only evaluate rules and routes on their target VM and NIC
     * (Reader).
     */
    public List<Reference> references() {
        List<Reference> refs = new ArrayList<>();
        if (kind.equals(CONNECTIVITY)) {
            refs.add(Reference.local("source.resourceId", id(sourceVm), Permission.WRITE));
            if (destinationVm != null) refs.add(Reference.local("destination.resourceId", id(destinationVm), Permission.READ));
        } else {
            refs.add(Reference.local("targetResourceId", id(sourceVm), Permission.READ));
            if (targetNic != null) refs.add(Reference.local("targetNicResourceId", id(targetNic), Permission.READ));
        }
        return List.copyOf(refs);
    }

    private static ArmResourceId id(String text) {
        return ArmResourceId.tryParse(text).orElseThrow(() -> new IllegalStateException("unparsed resource id in a check request: " + text));
    }
}
