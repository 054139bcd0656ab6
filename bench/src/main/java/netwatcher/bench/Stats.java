package netwatcher.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Percentiles of a sample of durations in nanoseconds (nearest-rank). Immutable.
 *
 * @param count number of samples
 * @param p50Ms median in milliseconds
 * @param p99Ms 99th percentile in milliseconds
 * @param maxMs largest sample in milliseconds
 * @param minMs smallest sample in milliseconds
 */
public record Stats(int count, double p50Ms, double p99Ms, double maxMs, double minMs) {

    public static Stats ofNanos(long[] nanos) {
        if (nanos.length == 0) return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN); // none: p99 is no number, never "met"
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Stats(s.length, rank(s, 0.50) / 1e6, rank(s, 0.99) / 1e6, s[s.length - 1] / 1e6, s[0] / 1e6);
    }

    private static long rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "n=%d p50=%.2f ms p99=%.2f ms min=%.2f ms max=%.2f ms", count, p50Ms, p99Ms, minMs, maxMs);
    }
}
