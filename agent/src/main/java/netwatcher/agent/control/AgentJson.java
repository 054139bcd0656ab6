package netwatcher.agent.control;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.time.Instant;

/**
 * The one JSON mapper of the agent: protocol records and journal records, field names equal to the
 * record component names, instants as ISO-8601 UTC strings, unknown fields ignored (protocol rule 7).
 * Thread-safe: the mapper is configured once and then only used.
 */
public final class AgentJson {
    /** The shared mapper. */
    public static final ObjectMapper MAPPER = create();

    private AgentJson() {}

    private static ObjectMapper create() {
        SimpleModule time = new SimpleModule("netwatcher-instant");
        time.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.toString());
            }
        });
        time.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                return text == null || text.isBlank() ? null : Instant.parse(text);
            }
        });
        return new ObjectMapper()
                .registerModule(time)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                // a value this agent does not know (a newer controller's check role) reads as null, and the
                // order holding it is skipped, rather than every order of the answer being refused
                .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
    }
}
