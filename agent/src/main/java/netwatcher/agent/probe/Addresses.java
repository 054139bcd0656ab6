package netwatcher.agent.probe;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Address text as people and the controller write it: dotted IPv4, RFC 5952 compressed IPv6. Stateless. */
public final class Addresses {
    private Addresses() {}

    /** {@code 198.18.1.1}, {@code 2001:2:0:3::10}; null for null. */
    public static String text(InetAddress address) {
        if (address == null) return null;
        if (!(address instanceof Inet6Address)) return address.getHostAddress();
        byte[] b = address.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && words[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            s.append(Integer.toHexString(words[i]));
            if (i < 7) s.append(':');
        }
        return s.toString();
    }
}
