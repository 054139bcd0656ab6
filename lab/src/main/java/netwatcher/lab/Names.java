package netwatcher.lab;

import netwatcher.model.agent.HostNames;

/**
 * The kernel names a lab uses. Every name starts with {@code nw} and fits the kernel's 15-character
 * interface limit for lab names up to 12 and host and segment names up to 8 characters. Objects
 * inside a lab namespace need not be unique across labs; only the namespaces and the root-side
 * management veth live in shared name spaces. Stateless and thread-safe.
 */
public final class Names {
    private Names() {}

    /** A host's namespace: {@code nw-<lab>-<host>}. */
    public static String namespace(String lab, String host) {
        return "nw-" + lab + "-" + host;
    }

    /** The namespace holding the lab's bridges: {@code nw-<lab>-fab}. */
    public static String fabric(String lab) {
        return "nw-" + lab + "-fab";
    }

    /** The management veth in the root namespace: {@code nw<lab>m}. */
    public static String rootManagementLink(String lab) {
        return "nw" + lab + "m";
    }

    /** The fabric end of the root's management veth. */
    public static String fabricRootPeer() {
        return "nwmroot";
    }

    /** A segment's bridge, in the fabric namespace. */
    public static String bridge(String segment) {
        return "nwbr-" + segment;
    }

    /** The management bridge, in the fabric namespace. */
    public static String managementBridge() {
        return "nwmgmt";
    }

    /** The fabric end of a host NIC's veth: {@code nw-<host>-<index>}. */
    public static String fabricPeer(String host, int index) {
        return "nw-" + host + "-" + index;
    }

    /** The fabric end of a host's management veth. */
    public static String fabricManagementPeer(String host) {
        return "nwm-" + host;
    }

    /**
     * The kernel alias of the lab's management veths: {@code netwatcher:ignore/lab-<lab>}, which agents
     * honour by never registering nor capturing on the interface ({@code HostNames.IGNORED_INTERFACE_ALIAS}).
     */
    public static String ignoredAlias(String lab) {
        return HostNames.IGNORED_INTERFACE_ALIAS + "/lab-" + lab;
    }

    /** The management NIC inside an agent host; agents are told to ignore it. */
    public static final String MANAGEMENT_NIC = "mgmt0";
}
