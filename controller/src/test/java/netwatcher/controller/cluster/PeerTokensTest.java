package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import org.junit.jupiter.api.Test;

/** The controllers' peer tokens without a database: what one controller mints another accepts, and nothing else. */
class PeerTokensTest {
    static final byte[] SECRET = new byte[32];
    static {
        Arrays.fill(SECRET, (byte) 7);
    }

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T20:00:00Z"));
    final InstantSource clock = now::get;
    final PeerTokens a = new PeerTokens(SECRET, "ctl-a", clock);
    final PeerTokens b = new PeerTokens(SECRET, "ctl-b", clock);

    ArmErrorCode refusal(String header, String purpose, String resource) {
        return assertThrows(ArmException.class, () -> b.verify(header, purpose, resource)).code();
    }

    @Test
    void aTokenOfOneMember_isAcceptedByAnother_forThatPurposeAndResource_namingItsController() {
        assertEquals("ctl-a", b.verify(a.header("live-relay", "c-1"), "live-relay", "c-1"));
    }

    @Test
    void noHeader_is401_anotherScheme_is403() {
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal(null, "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal("  ", "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthorizationFailed, refusal("Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig", "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthorizationFailed, refusal("Bearer nwa1.agent-credential", "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthorizationFailed, refusal("Basic dXNlcjpwYXNz", "live-relay", "c-1"));
    }

    @Test
    void anotherResource_purpose_secret_controller_orAMalformedToken_is401() {
        String good = a.header("live-relay", "c-1");
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal(good, "live-relay", "c-2"));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal(good, "other", "c-1"));
        byte[] other = SECRET.clone();
        other[0] = 8;
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal(new PeerTokens(other, "ctl-a", clock).header("live-relay", "c-1"), "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal(good.replace("ctl-a", "ctl-x"), "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal("NwPeer v1.ctl-a.notanumber.sig", "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal("NwPeer v2.ctl-a.1.sig", "live-relay", "c-1"));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal("NwPeer garbage", "live-relay", "c-1"));
    }

    @Test
    void anExpiredToken_is401_withinTheSkewItPasses() {
        String token = a.header("live-relay", "c-1");
        now.set(now.get().plus(PeerTokens.LIFETIME).plus(Duration.ofSeconds(10)));
        assertEquals("ctl-a", b.verify(token, "live-relay", "c-1"), "10 s past its expiry: within the clocks' skew");
        now.set(now.get().plus(PeerTokens.SKEW));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal(token, "live-relay", "c-1"));
    }

    @Test
    void aTokenFromAClockFarAhead_is401() {
        now.set(now.get().plus(Duration.ofMinutes(10)));
        String ahead = a.header("live-relay", "c-1");
        now.set(now.get().minus(Duration.ofMinutes(10)));
        assertEquals(ArmErrorCode.AuthenticationFailed, refusal(ahead, "live-relay", "c-1"));
    }

    @Test
    void aShortSecret_isRefusedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new PeerTokens(new byte[16], "ctl-a", clock));
    }
}
