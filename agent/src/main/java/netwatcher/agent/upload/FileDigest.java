package netwatcher.agent.upload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a capture file, computed from the bytes an upload reads anyway: every read of the
 * file at a position feeds {@link #update}, which takes the bytes that continue the hashed prefix and
 * ignores the rest (bytes sent again after a failed request, ranges out of order). What an upload
 * skips (a resumed upload's prefix the destination already holds) is read once more by
 * {@link #catchUp}. One per upload job, kept across its attempts, so a retry does not hash again.
 * Thread-safe.
 */
public final class FileDigest {
    private static final int BUFFER = 64 * 1024;

    private final MessageDigest sha;
    private long hashed;
    private String result;

    public FileDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes of the file hashed so far (a prefix). */
    public synchronized long hashed() { return hashed; }

    /** {@code len} bytes of the file that start at {@code position}. */
    public synchronized void update(long position, byte[] b, int off, int len) {
        if (result != null || len <= 0) return;
        long end = position + len;
        if (position > hashed || end <= hashed) return;
        int skip = (int) (hashed - position);
        sha.update(b, off + skip, len - skip);
        hashed = end;
    }

    /** Hashes the file from the hashed prefix up to {@code upTo}, reading it. */
    public synchronized void catchUp(Path file, long upTo) throws IOException {
        if (result != null || hashed >= upTo) return;
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ).position(hashed);
             InputStream in = Channels.newInputStream(ch)) {
            byte[] buf = new byte[BUFFER];
            while (hashed < upTo) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, upTo - hashed));
                if (n < 0) throw new IOException("capture file " + file + " ended at " + hashed + " bytes, before " + upTo);
                sha.update(buf, 0, n);
                hashed += n;
            }
        }
    }

    /** The SHA-256 (lower-case hex) of the whole file of {@code total} bytes, reading what no upload read. */
    public synchronized String finish(Path file, long total) throws IOException {
        if (result != null) return result;
        catchUp(file, total);
        if (hashed != total) throw new IOException("hashed " + hashed + " bytes of " + file + " but it has " + total);
        result = HexFormat.of().formatHex(sha.digest());
        return result;
    }

    /** {@code in}, which reads the file from {@code position}, feeding this digest as it is read. */
    public InputStream tap(InputStream in, long position) {
        return new java.io.FilterInputStream(in) {
            private long at = position;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) update(at++, new byte[] {(byte) b}, 0, 1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    update(at, buf, off, n);
                    at += n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                at += skipped;
                return skipped;
            }
        };
    }
}
