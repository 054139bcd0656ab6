package netwatcher.cli.client;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Writes a small, valid pcap file: Ethernet/IPv4/UDP packets between 198.18.0.1 and 198.18.0.2. */
final class Pcaps {
    private Pcaps() {}

    static byte[] udp(int packets, int payload) {
        int frame = 14 + 20 + 8 + payload;
        ByteBuffer b = ByteBuffer.allocate(24 + packets * (16 + frame)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        for (int i = 0; i < packets; i++) {
            b.putInt(1_700_000_000 + i).putInt(i * 1000).putInt(frame).putInt(frame);
            ByteBuffer p = ByteBuffer.allocate(frame).order(ByteOrder.BIG_ENDIAN);
            p.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
            p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload)).putShort((short) i).putShort((short) 0)
                    .put((byte) 64).put((byte) 17).putShort((short) 0)
                    .put(new byte[] {(byte) 198, 18, 0, 1}).put(new byte[] {(byte) 198, 18, 0, 2});
            int sum = 0;
            for (int k = 14; k < 34; k += 2) sum += ((p.get(k) & 0xff) << 8) | (p.get(k + 1) & 0xff);
            while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
            p.putShort(24, (short) ~sum);
            p.position(34);
            p.putShort((short) 40000).putShort((short) 9999).putShort((short) (8 + payload)).putShort((short) 0);
            for (int k = 0; k < payload; k++) p.put((byte) (i + k));
            b.put(p.array());
        }
        return b.array();
    }
}
