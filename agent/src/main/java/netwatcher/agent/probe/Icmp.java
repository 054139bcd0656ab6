package netwatcher.agent.probe;

/** ICMP and ICMPv6 vocabulary: names of type/code pairs and which of them mean "rejected". Stateless. */
final class Icmp {
    private Icmp() {}

    static final int ECHO_REPLY = 0, DEST_UNREACH = 3, ECHO_REQUEST = 8, TIME_EXCEEDED = 11;
    static final int V6_DEST_UNREACH = 1, V6_TIME_EXCEEDED = 3, V6_ECHO_REQUEST = 128, V6_ECHO_REPLY = 129;

    /** Human and wire text for a type/code, e.g. "port-unreachable", "admin-prohibited". */
    static String describe(boolean ipv6, int type, int code) {
        if (ipv6) {
            if (type == V6_TIME_EXCEEDED) return "time-exceeded";
            if (type == V6_DEST_UNREACH) {
                return switch (code) {
                    case 0 -> "no-route";
                    case 1 -> "admin-prohibited";
                    case 2 -> "beyond-scope";
                    case 3 -> "addr-unreachable";
                    case 4 -> "port-unreachable";
                    case 5 -> "policy-fail";
                    case 6 -> "reject-route";
                    default -> "unreachable-" + code;
                };
            }
            return "icmp6-" + type + "/" + code;
        }
        if (type == TIME_EXCEEDED) return "time-exceeded";
        if (type == DEST_UNREACH) {
            return switch (code) {
                case 0 -> "net-unreachable";
                case 1 -> "host-unreachable";
                case 2 -> "prot-unreachable";
                case 3 -> "port-unreachable";
                case 4 -> "frag-needed";
                case 9 -> "net-prohibited";
                case 10 -> "host-prohibited";
                case 13 -> "admin-prohibited";
                default -> "unreachable-" + code;
            };
        }
        return "icmp-" + type + "/" + code;
    }

    /** True for the destination-unreachable codes that mean "a firewall or the destination said no". */
    static boolean rejects(boolean ipv6, int type, int code) {
        if (ipv6) return type == V6_DEST_UNREACH && (code == 1 || code == 4 || code == 5 || code == 6);
        return type == DEST_UNREACH && (code == 2 || code == 3 || code == 9 || code == 10 || code == 13);
    }
}
