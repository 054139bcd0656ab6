package netwatcher.agent.hostcfg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import netwatcher.model.check.Flow;

/** Committed nft/ip JSON outputs (src/test/resources/hostcfg) and flow shorthands. */
final class Fixtures {
    private Fixtures() {}

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/hostcfg/" + name)) {
            if (in == null) throw new IllegalArgumentException("no test resource hostcfg/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FirewallSnapshot snapshot(String name) {
        return NftJson.parse(text(name), Instant.parse("2026-01-01T00:00:00Z"), List.of());
    }

    /** A snapshot from committed {@code nft -j list ruleset} JSON with the rule texts of {@code nft -a list ruleset}. */
    static FirewallSnapshot snapshot(String json, String listing) {
        FirewallSnapshot nft = snapshot(json);
        java.util.Map<String, String> texts = NftText.ruleTexts(text(listing));
        List<FirewallSnapshot.Rule> rules = nft.rules().stream().map(r -> r.withText(texts.get(r.key()))).toList();
        return new FirewallSnapshot(nft.takenAt(), nft.chains(), rules, nft.sets(), nft.warnings());
    }

    static Flow tcp(String source, int sourcePort, String destination, int destinationPort) {
        return new Flow("Tcp", source, sourcePort, destination, null, destinationPort, null, null);
    }

    static Flow flow(String protocol, String source, int sourcePort, String destination, int destinationPort,
                     String direction) {
        return new Flow(protocol, source, sourcePort, destination, null, destinationPort, direction, null);
    }
}
