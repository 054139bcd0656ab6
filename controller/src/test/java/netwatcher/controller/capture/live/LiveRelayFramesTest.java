package netwatcher.controller.capture.live;

import static netwatcher.controller.capture.live.LiveStreamTest.header;
import static netwatcher.controller.capture.live.LiveStreamTest.post;
import static netwatcher.controller.capture.live.LiveStreamTest.records;
import static netwatcher.controller.capture.live.LiveStreamTest.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay between two controllers without HTTP: the peer's side writes its hub's records of a host capture as
 * frames, the serving side's stream takes them like posts, and a lost relay is told to the reader in-band while the
 * other hosts go on.
 */
class LiveRelayFramesTest {
    @Test
    void peerSide_writesEachRecordAsAFrame_andAnEndOnceTheAgentsLastPostCame() throws Exception {
        LiveHub hub = new LiveHub(LiveHub.Limits.defaults(), new LiveStreamTest.FakeClock());
        LiveStream relay = hub.open(LiveRoutes.RELAY_KEY + "c-1", "pc1", List.of(source("c-1")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                relay.relayTo(out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] data = records(1, 3, 40);
        assertTrue(hub.ingest("c-1", new LiveHub.LivePost("f1", 24, post(data, 0, data.length), false)));
        hub.ingest("c-1", new LiveHub.LivePost("f1", 24L + data.length, header(), true));
        writer.join(10_000);
        assertFalse(writer.isAlive(), "the relay ends with the agent's last post");

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
        List<RelayFrames.Frame> frames = new ArrayList<>();
        while (true) {
            try {
                frames.add(RelayFrames.read(in, "c-1"));
            } catch (EOFException e) {
                break;
            }
        }
        List<String> packets = frames.stream().filter(f -> f instanceof RelayFrames.Packet)
                .map(f -> LiveStreamTest.text(((RelayFrames.Packet) f).packet())).toList();
        assertEquals(List.of("pkt-1", "pkt-2", "pkt-3"), packets);
        RelayFrames.Packet first = (RelayFrames.Packet) frames.stream().filter(f -> f instanceof RelayFrames.Packet).findFirst().orElseThrow();
        assertEquals(1, first.packet().linktype());
        assertEquals(65535, first.packet().snaplen());
        assertEquals(44, first.packet().origlen());
        assertEquals((1_800_000_001L) * 1_000_000_000L + 1, first.packet().timestampNanos());
        assertInstanceOf(RelayFrames.KeepAlive.class, frames.getFirst(), "a keep-alive first: the answer's head goes out at once");
        assertInstanceOf(RelayFrames.End.class, frames.getLast());
    }

    @Test
    void servingSide_relayedRecordsAndUpstreamDropsReachTheReader_aLostRelayIsToldAndTheOtherHostGoesOn() throws Exception {
        LiveHub hub = new LiveHub(LiveHub.Limits.defaults(), new LiveStreamTest.FakeClock());
        LiveSource relayed = new LiveSource("c-r", "vm-r", "far/eth0", "host far");
        LiveSource local = new LiveSource("c-l", "vm-l", "near/eth0", "host near");
        LiveStream s = hub.open("c-fleet", "fleet", List.of(relayed, local));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = Thread.ofPlatform().start(() -> {
            try {
                s.pump(out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        s.offer(new LivePacket("c-r", 1, 65535, 1_000L, "far-1-data".getBytes(StandardCharsets.US_ASCII), 10));
        s.missedUpstream(5);
        s.offer(new LivePacket("c-r", 1, 65535, 2_000L, "far-2-data".getBytes(StandardCharsets.US_ASCII), 10));
        s.sourceLost("c-r", "host far: the relay from controller ctl-a (https://peer:1) was lost, it broke");
        byte[] data = records(1, 1, 40);
        hub.ingest("c-l", new LiveHub.LivePost("f1", 24, post(data, 0, data.length), false));
        Thread.sleep(600);
        assertTrue(pump.isAlive(), "the local host still runs: the stream goes on");
        hub.ingest("c-l", new LiveHub.LivePost("f1", 24L + data.length, header(), true));
        pump.join(10_000);
        assertFalse(pump.isAlive(), "every host ended (one lost, one finished)");
        String text = out.toString(StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("far-1-data") && text.contains("far-2-data") && text.contains("pkt-1-"), "both hosts' records");
        assertTrue(text.contains("netwatcher: 5 packets missed before this one"), "the peer's drops are told like the reader's own");
        assertTrue(text.contains("netwatcher: host far: the relay from controller ctl-a (https://peer:1) was lost"), "the loss, in-band");
        assertTrue(text.contains("far/eth0") && text.contains("near/eth0"), "one interface per host");
        assertEquals(5, s.missed());
    }

    @Test
    void aRelayLostBeforeAnyRecord_stillNamesItsHost_onAnInterfaceOfItsOwn() throws Exception {
        LiveHub hub = new LiveHub(LiveHub.Limits.defaults(), new LiveStreamTest.FakeClock());
        LiveStream s = hub.open("c-x", "x", List.of(new LiveSource("c-x", "vm-x", "far/eth0", "host far")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = Thread.ofPlatform().start(() -> {
            try {
                s.pump(out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        s.sourceLost("c-x", "host far: the relay was lost");
        pump.join(10_000);
        assertFalse(pump.isAlive(), "its only host lost: the stream ends, it does not hang");
        String text = out.toString(StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("far/eth0") && text.contains("netwatcher: host far: the relay was lost"), text);
        assertTrue(text.contains("the relay was lost"), "and in the closing statistics");
    }
}
