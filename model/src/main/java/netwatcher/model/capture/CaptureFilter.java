package netwatcher.model.capture;

/**
 * One ARM packet-capture filter, parsed. "Local" is the target host's side of a packet and
 * "remote" the other side, in both directions. A {@code null} set means "any". Several filters
 * of one capture are OR-ed; the fields of one filter are AND-ed.
 */
public record CaptureFilter(FilterProtocol protocol, AddressSet localAddresses, AddressSet remoteAddresses,
                            PortSet localPorts, PortSet remotePorts) {

    public CaptureFilter {
        if (protocol == null) protocol = FilterProtocol.ANY;
    }

    /**
     * Parses the five wire strings of one filter; {@code path} prefixes the field names in errors
     * (for example {@code properties.filters[0]}).
     *
     * @throws FilterNotationException naming the offending field
     */
    public static CaptureFilter parse(String path, String protocol, String localIp, String remoteIp,
                                      String localPort, String remotePort) {
        FilterProtocol p;
        try {
            p = FilterProtocol.parse(protocol);
        } catch (IllegalArgumentException e) {
            throw new FilterNotationException(path + ".protocol", e.getMessage());
        }
        return new CaptureFilter(p,
                AddressSet.parse(path + ".localIPAddress", localIp),
                AddressSet.parse(path + ".remoteIPAddress", remoteIp),
                PortSet.parse(path + ".localPort", localPort),
                PortSet.parse(path + ".remotePort", remotePort));
    }
}
