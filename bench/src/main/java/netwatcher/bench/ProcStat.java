package netwatcher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}.
 *
 * @param cpuSeconds user + system CPU time so far
 * @param rssMiB     resident set size now
 */
record ProcStat(double cpuSeconds, double rssMiB) {
    private static final double TICKS = 100.0; // USER_HZ on Linux

    static ProcStat of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS; // utime, stime (fields 14, 15)
            double rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
            return new ProcStat(cpu, rss);
        } catch (IOException | RuntimeException e) {
            return new ProcStat(Double.NaN, Double.NaN);
        }
    }
}
